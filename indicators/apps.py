from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = "Chỉ số"

    def ready(self):
        # The policy rows of dossiers, imports, sources, metrics, clock rules and recomputations.
        from qms import providers

        from . import rules  # noqa: F401
        from .next_steps import indicator_next_steps
        from .selectors import on_time_performance
        from .selectors_objectives import quality_objectives

        # The core's question "on-time performance of an agency in a period" (audit programme
        # priority, management review inputs), answered from the summary tables.
        providers.register(providers.ON_TIME_PERFORMANCE, on_time_performance)
        providers.register(providers.NEXT_STEPS, indicator_next_steps)
        # "The agency's quality objectives of a period" (management review inputs).
        providers.register(providers.QUALITY_OBJECTIVES, quality_objectives)
        # "The agency's published statistics" (the agency's public page).
        from .selectors_publication import published_statistics

        providers.register(providers.PUBLISHED_STATISTICS, published_statistics)
