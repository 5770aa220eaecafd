from django.apps import AppConfig


class ExtensionConfig(AppConfig):
    name = "tests.extension"
    label = "extension"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models import Q

        from qms import permissions
        from qms.models import Role

        from .models import ExampleCase

        permissions.register_rules(
            "examplecase",
            {
                permissions.VIEW: {Role.OFFICER, Role.LEADER, Role.STAFF},
                permissions.ADD: {Role.OFFICER},
                permissions.CHANGE: {Role.OFFICER, Role.LEADER},
            },
        )
        # The owner of a case may read and change it, wherever it lives (a relation, not a role).
        permissions.register_relation(
            "examplecase",
            model=ExampleCase,
            actions={permissions.VIEW, permissions.CHANGE},
            rows=lambda user, action: Q(owner=user) if user.is_authenticated else None,
            name="case owner",
        )
