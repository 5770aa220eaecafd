"""The demo's process-control sheets (issue 11): a few hundred demo dossiers with sheets following
the step table in force, Sở Tư pháp's "Phòng Hành chính tư pháp" consistently late, so the page
"Theo bước xử lý" shows it and a late dossier's page blames it; seeding again adds nothing."""

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from indicators import demo, demo_steps
from indicators.models import Dossier, DossierStep
from indicators.selectors_steps import late_step, step_stats
from qms.models import Agency
from qms.text import fold

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", verbosity=0)
        yield
        transaction.set_rollback(True)


def test_demo_sheets_with_one_late_unit(seeded):
    demo_ids = Dossier.objects.filter(code__startswith=demo.DEMO_PREFIX).values("pk")
    sheets = DossierStep.objects.filter(dossier_id__in=demo_ids)
    assert 200 <= sheets.values("dossier_id").distinct().count() <= demo_steps.MAX_SHEETS + 150
    assert sheets.filter(issue_service__isnull=False).count() == sheets.count()
    assert len({a for a in sheets.values_list("agency_id", flat=True)}) >= 2

    stp = Agency.objects.get(code="STP")
    today = timezone.localdate()
    stats = step_stats(stp, today.replace(year=today.year - 2), today)
    late_units = {fold(r.unit) for r in stats if r.measured and r.late * 2 > r.measured}
    assert late_units == {fold(demo_steps.LATE_UNIT)}

    late = Dossier.objects.filter(
        agency=stp, timing="late", pk__in=sheets.values("dossier_id")
    ).first()
    assert late is not None
    assert fold(late_step(late).unit) == fold(demo_steps.LATE_UNIT)


def test_seeding_the_sheets_again_adds_nothing(seeded):
    before = DossierStep.objects.count()
    assert demo_steps.seed() == {}
    assert DossierStep.objects.count() == before
