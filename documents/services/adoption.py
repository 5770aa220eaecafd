"""Shared procedures (quy trình dùng chung): a body above (the province) issues one procedure for
all its subordinates, each follows it (``documents.selectors.applicable_q``) until it adopts its
own. Adopting starts a draft of the agency's own procedure from the shared issue in force, which
then goes through the agency's approval workflow like any other draft; once live it takes
precedence at that agency."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from documents.models import ProcedurePage
from documents.selectors import issue_in_force
from qms.models import Agency

COPIED = ("title", "purpose", "scope", "legal_basis", "definitions", "services", "forms", "records")


@transaction.atomic
def procedure_adopt(*, actor, source: ProcedurePage, agency: Agency, code: str) -> ProcedurePage:
    """A new draft procedure of ``agency`` built from ``source``'s shared issue in force."""
    issue = issue_in_force(source)
    if issue is None or not issue.shared:
        raise ValidationError(
            _("Quy trình %(code)s không phải quy trình dùng chung đang áp dụng.")
            % {"code": source.code}
        )
    if agency.pk == source.agency_id or source.agency_id not in agency.ancestor_ids():
        raise ValidationError(
            _("“%(agency)s” không trực thuộc “%(issuer)s”, nơi ban hành quy trình dùng chung.")
            % {"agency": agency.name, "issuer": source.agency.name}
        )
    parent = getattr(agency, "page", None)
    if parent is None or not parent.permissions_for_user(actor).can_add_subpage():
        raise PermissionDenied(
            _("Bạn không có quyền soạn quy trình của “%(agency)s”.") % {"agency": agency.name}
        )
    code = (code or "").strip()
    if not code:
        raise ValidationError({"code": _("Nhập mã tài liệu của quy trình riêng.")})
    if ProcedurePage.objects.filter(agency=agency, code__iexact=code).exists():
        raise ValidationError(
            {"code": _("Mã tài liệu %(code)s đã được dùng tại cơ quan này.") % {"code": code}}
        )
    content = issue.revision.as_object()
    page = ProcedurePage(
        code=code,
        slug=_free_slug(parent, code),
        live=False,
        adopted_from=source,
        shared=False,
        change_summary=_(
            "Ban hành lần đầu, xây dựng từ quy trình dùng chung %(code)s (lần ban hành %(number)d) "
            "của %(issuer)s."
        )
        % {"code": issue.code, "number": issue.number, "issuer": source.agency.name},
        owner=actor,
    )
    for field in COPIED:
        setattr(page, field, getattr(content, field))
    parent.add_child(instance=page)
    log(instance=page, action="wagtail.create", user=actor, content_changed=True)
    page.save_revision(user=actor, log_action=True)
    return page


def _free_slug(parent, code: str) -> str:
    base = slugify(code.replace("/", "-")) or "quy-trinh"
    slug, n = base, 1
    while parent.get_children().filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug
