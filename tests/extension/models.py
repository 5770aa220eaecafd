"""Models of the test extension: a case owned by a person."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from qms.models import Agency


class ExampleCase(models.Model):
    class State(models.TextChoices):
        OPEN = "open", "Đang mở"
        CLOSED = "closed", "Đã đóng"

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    title = models.CharField("tiêu đề", max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    history = HistoricalRecords()

    def __str__(self):
        return self.title
