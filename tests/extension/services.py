"""State changes of the test extension."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from .models import ExampleCase


@transaction.atomic
def case_close(*, actor, instance: ExampleCase) -> ExampleCase:
    if instance.state != ExampleCase.State.OPEN:
        raise ValidationError("Hồ sơ đã đóng.")
    if actor is not None and actor.pk == instance.owner_id:
        raise PermissionDenied("Người phụ trách không tự đóng hồ sơ của mình.")
    instance.state = ExampleCase.State.CLOSED
    instance._history_user = actor
    instance.save()
    return instance
