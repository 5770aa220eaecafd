from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QmsConfig(AppConfig):
    name = "qms"
    verbose_name = _("Hệ thống quản lý chất lượng")

    def ready(self):
        from qms.celery import app, collect_beat_schedules

        app.conf.beat_schedule = collect_beat_schedules()
