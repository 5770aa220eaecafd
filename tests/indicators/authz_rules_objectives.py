"""Matrix rules and marked objects of the quality objectives (gathered by
tests/indicators/authz_rules.py).

Each agency has an objective whose name carries its marker, evaluated for one month. Who
(indicators/rules.py): the officers, leaders and staff of the agency and above read the
objectives, their pages, history and usage; its leaders and those above set (add, edit) them and
run the action "Đánh giá tháng …"; nobody deletes one (no delete view)."""

from tests.authz import Rule, on_node

READERS_ANYWHERE = on_node("officer", "leader", "staff", sibling=True)
NODE_READERS = on_node("officer", "leader", "staff")
LEADERS_ANYWHERE = on_node("leader", sibling=True)
NODE_LEADERS = on_node("leader")


def populate(world):
    import datetime
    from decimal import Decimal

    from indicators.models import ObjectiveEvaluation, ObjectiveMetric, QualityObjective

    for place in world.agencies():
        objective = QualityObjective.objects.create(
            agency=place,
            name=f"Mục tiêu {world.mark(place, 'qualityobjective')}",
            metric=ObjectiveMetric.ON_TIME_RATE,
            target=Decimal("95"),
            valid_from=datetime.date(2025, 1, 1),
        )
        ObjectiveEvaluation.objects.create(
            objective=objective,
            period_start=datetime.date(2025, 3, 1),
            period_end=datetime.date(2025, 3, 31),
            actual=Decimal("96.5"),
            basis=20,
            met=True,
        )
        world.objects["qualityobjective", place.pk] = objective


def _node(world):
    return {"pk": world.objects["qualityobjective", world.node.pk].pk}


OBJECT_KWARGS = [
    ("quality_objectives:*", "pk", lambda w: w.objects["qualityobjective", w.node.pk].pk),
]

RULES = [
    Rule("quality_objectives:index", READERS_ANYWHERE, shows="qualityobjective"),
    Rule(
        "quality_objectives:index_results",
        READERS_ANYWHERE,
        shows="qualityobjective",
        query={"q": "Mục tiêu"},
        exports=True,
    ),
    Rule("quality_objectives:add", LEADERS_ANYWHERE, note="leaders set their agencies' objectives"),
    Rule("quality_objectives:edit", NODE_LEADERS, kwargs=_node),
    Rule(
        "quality_objectives:transition",
        NODE_LEADERS,
        kwargs=lambda w: {**_node(w), "transition": "evaluate"},
        note="evaluate a past month of the node's objective: its leaders and those above",
    ),
    Rule(
        "quality_objectives:*",
        NODE_READERS,
        kwargs=_node,
        note="inspect, history, usage: the node's officers, leaders, staff and those above",
    ),
]
