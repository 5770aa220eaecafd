from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = "Chỉ số"

    def ready(self):
        # The policy rows of dossiers, imports, sources, metrics, clock rules and recomputations.
        from . import rules  # noqa: F401
