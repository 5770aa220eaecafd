"""Wagtail names its root collection and root page "Root": the admin shows them in every collection
list and at the top of the page tree, so they get Vietnamese names."""

from django.db import migrations

NAMES = {"collection": ("Root", "Tất cả tệp"), "page": ("Root", "Gốc")}


def rename(apps, schema_editor, forward=True):
    Collection = apps.get_model("wagtailcore", "Collection")
    Page = apps.get_model("wagtailcore", "Page")
    old, new = NAMES["collection"] if forward else NAMES["collection"][::-1]
    Collection.objects.filter(depth=1, name=old).update(name=new)
    old, new = NAMES["page"] if forward else NAMES["page"][::-1]
    Page.objects.filter(depth=1, title=old).update(title=new, draft_title=new)


def rename_back(apps, schema_editor):
    rename(apps, schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [
        ("qms", "0008_working_calendar_settings_history"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(rename, rename_back)]
