"""Matrix rules and marked objects of the national service index (gathered by
tests/indicators/authz_rules.py).

Each agency has an entered value of the 766 scheme's indicator 1.4 whose source carries the
agency's marker. Who (indicators/rules.py):

- the page "Chỉ số phục vụ người dân, doanh nghiệp" (and its XLSX/CSV): every reader of the
  metrics (officers, leaders, staff), for the agencies of their scope (the form offers no other;
  tests/indicators/test_service_index_admin.py);
- entered values: read by the agency's officers, leaders and staff and those above; entered
  (add, edit) by its officers and leaders and those above; never deleted (no delete view);
- the schemes: reference data, every member reads; the administrator changes them; no delete.
"""

from tests.authz import ADMIN, MEMBERS, Rule, on_node

READERS = on_node("officer", "leader", "staff", sibling=True)
NODE_READERS = on_node("officer", "leader", "staff")
KEEPERS_ANYWHERE = on_node("officer", "leader", sibling=True)
NODE_KEEPERS = on_node("officer", "leader")
MEMBERS_AND_ADMIN = MEMBERS | ADMIN


def populate(world):
    import datetime as dt

    from indicators.models.index import IndexEntry, IndexIndicator, IndexScheme

    scheme = IndexScheme.objects.get(code="QD766-2022")
    indicator = IndexIndicator.objects.get(group__scheme=scheme, code="1.4")
    world.objects["indexscheme"] = scheme
    for place in world.agencies():
        world.objects["indexentry", place.pk] = IndexEntry.objects.create(
            indicator=indicator,
            agency=place,
            month=dt.date(2025, 3, 1),
            value=90,
            source=f"Cổng DVCQG {world.mark(place, 'indexentry')}",
        )


def _entry(world):
    return {"pk": world.objects["indexentry", world.node.pk].pk}


def _scheme(world):
    return {"pk": world.objects["indexscheme"].pk}


OBJECT_KWARGS = [
    ("index_entries:*", "pk", lambda w: w.objects["indexentry", w.node.pk].pk),
    ("index_schemes:*", "pk", lambda w: w.objects["indexscheme"].pk),
]

RULES = [
    Rule(
        "indicators_service_index",
        READERS,
        exports=True,
        note="every reader of the metrics, for the agencies of their scope",
    ),
    Rule("index_entries:index", READERS, shows="indexentry"),
    Rule(
        "index_entries:index_results",
        READERS,
        shows="indexentry",
        query={"q": "Cổng"},
        exports=True,
    ),
    Rule("index_entries:add", KEEPERS_ANYWHERE, note="officers and leaders enter values"),
    Rule("index_entries:edit", NODE_KEEPERS, kwargs=_entry),
    Rule(
        "index_entries:*",
        NODE_READERS,
        kwargs=_entry,
        note="inspect, history, usage: the node's officers, leaders, staff and those above",
    ),
    Rule("index_schemes:index", MEMBERS_AND_ADMIN),
    Rule("index_schemes:index_results", MEMBERS_AND_ADMIN, query={"q": "766"}, exports=True),
    Rule("index_schemes:add", ADMIN),
    Rule("index_schemes:edit", ADMIN, kwargs=_scheme),
    Rule(
        "index_schemes:*",
        MEMBERS_AND_ADMIN,
        kwargs=_scheme,
        note="inspect, history, usage: every member reads the reference data",
    ),
]
