"""The site's skeleton: Wagtail's root page and root collection, the qms home page and the default
site. Migrations make them; ``site_ensure`` makes them again wherever they are missing (after a
test database is flushed, or a database restored without them), and changes nothing otherwise."""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from wagtail.models import Collection, Locale, Page, Site

from qms.models import HomePage

ROOT_COLLECTION = "Tất cả tệp"
ROOT_PAGE = "Gốc"
HOME_TITLE = "Hệ thống quản lý chất lượng"
HOME_INTRO = (
    "<p>Quy trình nội bộ giải quyết thủ tục hành chính đang có hiệu lực và kết quả giải quyết hồ "
    "sơ được công khai theo TCVN ISO 9001:2015.</p>"
)


@transaction.atomic
def site_ensure() -> HomePage:
    # After a flush the content types are made again under new ids: forget the cached ones.
    ContentType.objects.clear_cache()
    if not Collection.objects.filter(depth=1).exists():
        Collection.add_root(name=ROOT_COLLECTION)
    locale = Locale.objects.order_by("pk").first() or Locale.objects.create(language_code="vi")
    root = Page.objects.filter(depth=1).first()
    if root is None:
        root = Page.add_root(title=ROOT_PAGE, draft_title=ROOT_PAGE, slug="root", locale=locale)
    home = HomePage.objects.first()
    if home is None:
        home = root.add_child(
            instance=HomePage(title=HOME_TITLE, slug="home", intro=HOME_INTRO, locale=locale)
        )
    if not Site.objects.filter(is_default_site=True).exists():
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
    return home
