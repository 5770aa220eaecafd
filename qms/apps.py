from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QmsConfig(AppConfig):
    name = "qms"
    verbose_name = _("Hệ thống quản lý chất lượng")

    def ready(self):
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from qms import checks  # noqa: F401  (registers the system checks)
        from qms.celery import app, collect_beat_schedules
        from qms.collation import register_sqlite_collation
        from qms.exports import escape_wagtail_exports
        from qms.people import use_vietnamese_order

        use_vietnamese_order()
        connection_created.connect(register_sqlite_collation, dispatch_uid="qms_vi_collation")
        escape_wagtail_exports()

        app.conf.beat_schedule = collect_beat_schedules()
        post_migrate.connect(_site_ensure, sender=self, dispatch_uid="qms_site_ensure")


def _site_ensure(sender, **kwargs):
    from qms.services.site import site_ensure

    site_ensure()
