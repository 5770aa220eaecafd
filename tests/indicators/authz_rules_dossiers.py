"""Matrix rules and marked objects of dossiers and the metrics page (gathered by
tests/indicators/authz_rules.py).

Each agency of the world has a dossier (written through the one upsert, so its summary rows and
events exist too) whose code carries the agency's marker. Who (indicators/rules.py):

- dossiers: read by the officers, leaders and staff of the agency and above (the list shows each
  reader their own agencies' dossiers; the page, its history and usage the node's dossier to the
  node's readers and those above); auditors read them only through an open audit (the world's
  audits are planned: none); siblings never; nobody adds, edits or deletes a dossier;
- the metrics page: every officer, leader and staff member, for the agencies they may read (the
  form offers no other; tests/indicators/test_dossier_admin.py); not auditors.
"""

from tests.authz import Rule, on_node

READERS = on_node("officer", "leader", "staff", sibling=True)
NODE_READERS = on_node("officer", "leader", "staff")


def populate(world):
    import datetime as dt
    from zoneinfo import ZoneInfo

    from indicators.models import Dossier
    from indicators.services.dossiers import DossierRecord, upsert
    from qms.workcal import get_calendar
    from tests import factories

    procedure = factories.tthc(name="Thủ tục thử của ma trận", working_days=3)
    received = dt.datetime(2025, 3, 3, 8, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    records = [
        DossierRecord(
            line=i + 2,
            agency_id=place.pk,
            code=f"HS-{world.mark(place, 'dossier')}",
            procedure_id=procedure.pk,
            channel="in_person",
            received_at=received,
            resolved_at=received + dt.timedelta(days=1),
            outcome="issued",
        )
        for i, place in enumerate(world.agencies())
    ]
    result = upsert(records, calendar=get_calendar())
    assert not result.problems, result.problems
    for place in world.agencies():
        world.objects["dossier", place.pk] = Dossier.objects.get(agency=place)


def _node_dossier(world):
    return {"pk": world.objects["dossier", world.node.pk].pk}


OBJECT_KWARGS = [
    ("dossiers:*", "pk", lambda w: w.objects["dossier", w.node.pk].pk),
]

RULES = [
    Rule("dossiers:index", READERS, shows="dossier"),
    Rule("dossiers:index_results", READERS, shows="dossier", query={"q": "HS-"}, exports=True),
    Rule(
        "dossiers:*",
        NODE_READERS,
        kwargs=_node_dossier,
        note="inspect (facts, clock, timeline), history, usage: the node's officers, leaders and "
        "staff and those above; not auditors without an open audit",
    ),
    Rule(
        "indicators_metrics",
        READERS,
        exports=True,
        note="every reader, for the agencies of their scope (the form offers no other)",
    ),
]
