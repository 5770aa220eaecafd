"""Matrix rules and marked objects of the process-control sheets (gathered by
tests/indicators/authz_rules.py).

Each agency's dossier (authz_rules_dossiers) gets a one-step sheet whose unit carries the agency's
marker, received today so that the page's default period (this year) shows it. Who
(indicators/rules.py): the page "Theo bước xử lý" is read by the readers of the metrics
("dossiermetrics": officers, leaders and staff), each for the agencies of their scope (the form
offers no other); the sheet itself shows on the dossier's page (rule of dossiers:*).
"""

from tests.authz import Rule, on_node

READERS = on_node("officer", "leader", "staff", sibling=True)


def populate(world):
    import datetime as dt

    from django.utils import timezone

    from indicators.models import DossierStep

    today = timezone.localdate()
    moment = timezone.make_aware(dt.datetime.combine(today, dt.time(8)))
    for place in world.agencies():
        dossier = world.objects["dossier", place.pk]
        world.objects["dossierstep", place.pk] = DossierStep.objects.create(
            dossier_id=dossier.pk,
            agency=place,
            procedure_id=dossier.procedure_id,
            received_on=today,
            position=1,
            code="B1",
            unit=f"Bộ phận {world.mark(place, 'dossierstep')}",
            handed_in_at=moment,
            handed_out_at=moment,
        )


OBJECT_KWARGS = []

RULES = [
    Rule(
        "indicators_steps",
        READERS,
        shows="dossierstep",
        exports=True,
        note="every reader of the metrics, for the agencies of their scope (the form offers no "
        "other)",
    ),
]
