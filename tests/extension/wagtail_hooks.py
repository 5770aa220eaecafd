"""Admin wiring of the test extension: a scoped viewset with a transition, from outside the core."""

from wagtail import hooks

from qms import permissions
from qms.viewsets import AgencyScopedViewSet, Transition

from .models import ExampleCase
from .services import case_close

permissions.register_policy(ExampleCase)


class ExampleCaseViewSet(AgencyScopedViewSet):
    model = ExampleCase
    icon = "doc-empty"
    add_to_admin_menu = False
    list_display = ["title", "agency", "state"]
    form_fields = ["agency", "title", "owner"]
    list_export = ["title", "agency", "state"]
    search_fields = ["title"]
    transitions = (
        Transition(
            "close",
            "Đóng hồ sơ",
            service=case_close,
            available=lambda case: case.state == ExampleCase.State.OPEN,
            refusal=lambda user, case: (
                "Người phụ trách không tự đóng hồ sơ của mình."
                if user.pk == case.owner_id
                else None
            ),
        ),
    )


@hooks.register("register_admin_viewset")
def register_example_cases():
    return ExampleCaseViewSet("example_cases")
