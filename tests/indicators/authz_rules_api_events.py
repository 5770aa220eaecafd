"""Matrix rules and marked objects of the admin list of events received through the API
("Sự kiện nhận qua API", ``api_events``; gathered by tests/indicators/authz_rules.py).

Each agency has one kept event whose event id carries its marker. Who (indicators/rules.py
``EVENTS``): read by the officers and leaders of the agency and above; nobody adds, edits or
deletes one in the admin (the API service writes them), so only the list, the event's page, its
history and usage are served.
"""

from tests.authz import Rule, on_node

KEEPERS_ANYWHERE = on_node("officer", "leader", sibling=True)
NODE_KEEPERS = on_node("officer", "leader")


def populate(world):
    import datetime

    from indicators.models import ApiEvent
    from indicators.models.api import ApiEventKind, ApiEventOutcome

    for place in world.agencies():
        marker = world.mark(place, "apievent")
        world.objects["apievent", place.pk] = ApiEvent.objects.create(
            agency=place,
            event_id=f"ev-{marker}",
            kind=ApiEventKind.RECEIVED,
            dossier_code=f"HS-{place.pk}",
            occurred_at=datetime.datetime(2025, 3, 3, 2, 15, tzinfo=datetime.UTC),
            outcome=ApiEventOutcome.APPLIED,
            payload={"event_id": f"ev-{marker}", "kind": "received"},
        )


OBJECT_KWARGS = [
    ("api_events:*", "pk", lambda w: w.objects["apievent", w.node.pk].pk),
]

RULES = [
    Rule("api_events:index", KEEPERS_ANYWHERE, shows="apievent"),
    Rule(
        "api_events:index_results",
        KEEPERS_ANYWHERE,
        shows="apievent",
        query={"q": "ev-"},
        exports=True,
    ),
    Rule(
        "api_events:*",
        NODE_KEEPERS,
        kwargs=lambda w: {"pk": w.objects["apievent", w.node.pk].pk},
        note="inspect, history, usage: the node's officers and leaders and above",
    ),
]
