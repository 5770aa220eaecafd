"""Each agency's page follows the agency: created with it, renamed and moved with it.

The core announces every agency change (``qms.signals.agency_changed``, inside its transaction);
``agency_page_sync`` answers it, so an agency never exists without its page. Agencies that existed
before documents was installed get theirs after ``migrate`` (``agency_pages_ensure_all``).
"""

from anyascii import anyascii
from django.db import transaction
from django.utils.text import slugify

from documents.models import AgencyPage
from qms.models import Agency, HomePage
from qms.services.rights import rights_sync_all


def _slug(agency: Agency) -> str:
    return slugify(anyascii(agency.code)) or f"agency-{agency.pk}"


def _parent_page(agency: Agency):
    if agency.parent_id:
        return agency_page_sync(agency.parent)
    return HomePage.objects.first()


@transaction.atomic
def agency_page_sync(agency: Agency) -> AgencyPage | None:
    """The agency's page, created under its parent's (or the home page) when missing, and kept
    under the right parent with the agency's name. None when the site has no home page yet."""
    parent = _parent_page(agency)
    if parent is None:
        return None
    page = AgencyPage.objects.filter(agency=agency).first()
    if page is None:
        page = AgencyPage(title=agency.name, slug=_slug(agency), agency=agency, live=True)
        parent.add_child(instance=page)
        page.save_revision().publish()
        return page
    if page.title != agency.name:
        page.title = page.draft_title = agency.name
        page.save_revision().publish()
    current_parent = page.get_parent()
    if current_parent is None or current_parent.pk != parent.pk:
        page.move(parent, pos="last-child")
        page = AgencyPage.objects.get(pk=page.pk)
    return page


def agency_pages_ensure_all() -> int:
    """Every agency gets its page (after migrate: agencies that predate documents); then the page
    rights of every member are recomputed. Returns the number of pages created."""
    before = AgencyPage.objects.count()
    for agency in Agency.objects.order_by("path"):
        agency_page_sync(agency)
    created = AgencyPage.objects.count() - before
    if created:
        rights_sync_all()
    return created
