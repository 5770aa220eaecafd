"""The site's skeleton (root page, home page, default site, root collection) is made again when a
database lost it (a flushed test database, a partial restore), and left alone otherwise."""

import pytest
from wagtail.models import Collection, Page, Site

from qms.models import HomePage
from qms.services.site import site_ensure

pytestmark = pytest.mark.django_db


def test_nothing_changes_when_the_skeleton_is_there():
    before = (Page.objects.count(), Collection.objects.count(), Site.objects.count())
    home = site_ensure()
    assert home == HomePage.objects.get()
    assert (Page.objects.count(), Collection.objects.count(), Site.objects.count()) == before


def test_a_lost_skeleton_is_made_again():
    Site.objects.all().delete()
    Page.objects.filter(depth__gte=1).delete()
    home = site_ensure()
    assert Page.objects.get(depth=1).get_children().get().specific == home
    assert Site.objects.get(is_default_site=True).root_page_id == home.pk
    assert Collection.objects.filter(depth=1).exists()
