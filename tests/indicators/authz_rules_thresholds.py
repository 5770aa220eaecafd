"""Matrix rules of the scorecard's thresholds (gathered by tests/indicators/authz_rules.py).

Reference data (indicators/rules.py THRESHOLD): every member reads the list and a row's page,
administrators change a row; nobody adds or deletes one (the views do not exist). Not private:
no marker (every member reads every row)."""

from tests.authz import ADMIN, MEMBERS, Rule

MEMBERS_AND_ADMIN = MEMBERS | ADMIN


def populate(world):
    from indicators.models import ScorecardThreshold

    # The migration writes the rows; a test that flushed the database may have removed them.
    row, _created = ScorecardThreshold.objects.get_or_create(
        measure="on_time_month", defaults={"green": 95, "amber": 90}
    )
    row.note = "Ngưỡng của Ủy ban nhân dân thành phố"
    row.save()
    world.objects["scorecardthreshold"] = row


def _threshold(world):
    return {"pk": world.objects["scorecardthreshold"].pk}


OBJECT_KWARGS = [
    ("scorecard_thresholds:*", "pk", lambda w: w.objects["scorecardthreshold"].pk),
]

RULES = [
    Rule("scorecard_thresholds:index", MEMBERS_AND_ADMIN),
    Rule(
        "scorecard_thresholds:index_results",
        MEMBERS_AND_ADMIN,
        query={"q": "Ngưỡng"},
        exports=True,
    ),
    Rule("scorecard_thresholds:edit", ADMIN, kwargs=_threshold),
    Rule(
        "scorecard_thresholds:*",
        MEMBERS_AND_ADMIN,
        kwargs=_threshold,
        note="inspect, history, usage: every member reads the reference data",
    ),
]
