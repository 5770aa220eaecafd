from django.db import migrations


def create_homepage(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    Locale = apps.get_model("wagtailcore.Locale")
    HomePage = apps.get_model("qms.HomePage")
    if HomePage.objects.exists():
        return
    # Replace Wagtail's default welcome page (a plain Page) with the qms home page.
    page_type = ContentType.objects.get(model="page", app_label="wagtailcore")
    Page.objects.filter(content_type=page_type, slug="home", depth=2).delete()
    Site.objects.filter(root_page__isnull=True).delete()
    home_type, _ = ContentType.objects.get_or_create(model="homepage", app_label="qms")
    locale = Locale.objects.order_by("pk").first()
    root = Page.objects.get(depth=1)
    home = HomePage.objects.create(
        title="Hệ thống quản lý chất lượng",
        draft_title="Hệ thống quản lý chất lượng",
        slug="home",
        content_type=home_type,
        path=root.path + "0001",
        depth=2,
        numchild=0,
        url_path="/home/",
        locale=locale,
        live=True,
        intro="<p>Quy trình nội bộ giải quyết thủ tục hành chính đang có hiệu lực và kết quả "
        "giải quyết hồ sơ được công khai theo TCVN ISO 9001:2015.</p>",
    )
    root.numchild = Page.objects.filter(depth=2).count()
    root.save(update_fields=["numchild"])
    Site.objects.filter(is_default_site=True).delete()
    Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)


def remove_homepage(apps, schema_editor):
    apps.get_model("qms.HomePage").objects.filter(slug="home", depth=2).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("qms", "0003_homepage"),
    ]

    operations = [migrations.RunPython(create_homepage, remove_homepage)]
