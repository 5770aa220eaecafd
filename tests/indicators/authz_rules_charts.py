"""Matrix rules and marked objects of the dashboard's charts (gathered by
tests/indicators/authz_rules.py).

Each agency gets a late step of a process-control sheet (of no stored dossier: the modules are
populated in name order, before the dossiers') whose unit carries the agency's
marker, received today, so that the charts' default period (this month) shows it in the
bottleneck chart's table. Who (indicators/rules.py): the charts page and its files are read by
the readers of the metrics ("dossiermetrics": officers, leaders and staff), each for the agencies
of their scope (the form offers no other; a file asked for another agency is refused).
"""

from tests.authz import Rule, on_node

READERS = on_node("officer", "leader", "staff", sibling=True)


def populate(world):
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from indicators.models import DossierStep
    from indicators.models.dossiers import Timing
    from tests import factories

    today = timezone.localdate()
    moment = timezone.make_aware(dt.datetime.combine(today, dt.time(8)))
    procedure = factories.tthc(name="Thủ tục thử của biểu đồ", working_days=3)
    for place in world.agencies():
        world.objects["chartstep", place.pk] = DossierStep.objects.create(
            dossier_id=10**9 + place.pk,
            agency=place,
            procedure=procedure,
            received_on=today,
            position=9,
            code="B9",
            unit=f"Tổ {world.mark(place, 'chartunit')}",
            handed_in_at=moment,
            handed_out_at=moment + dt.timedelta(hours=1),
            timing=Timing.LATE,
            overrun_days=Decimal("0.5"),
        )


OBJECT_KWARGS = []

RULES = [
    Rule(
        "indicators_charts",
        READERS,
        shows="chartunit",
        note="every reader of the metrics, for the agencies of their scope (the form offers no "
        "other); the bottleneck chart's table names the units",
    ),
    Rule(
        "indicators_chart_file",
        READERS,
        kwargs=lambda w: {"key": "bottleneck", "fmt": "xlsx"},
        shows="chartunit",
        note="a chart's data table as XLSX (and its drawings), for the agencies of the reader's "
        "scope",
    ),
]
