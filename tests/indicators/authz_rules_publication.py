"""Matrix rules and marked objects of the published statistics (gathered by
tests/indicators/authz_rules.py).

Each agency has a published month (March 2025) with one erratum whose reason carries the
agency's marker: the reason is the keepers' (the public pages show the erratum's date and
figures, never its reason or who wrote it). Who (indicators/rules.py ``ERRATUM``): the admin list
and a month's page are read by the officers and leaders of the agency and above; the action
"Công bố đính chính" is the leaders'; the public pages and the open-data CSV are everyone's and
show no marker.
"""

from tests.authz import EVERYONE, Rule, on_node

KEEPERS_ANYWHERE = on_node("officer", "leader", sibling=True)
NODE_KEEPERS = on_node("officer", "leader")
NODE_LEADERS = on_node("leader")

FIGURES = {
    "total": {
        "received": 3,
        "resolved": 2,
        "early": 1,
        "on_time": 1,
        "late": 0,
        "withdrawn": 0,
        "pending_overdue": 1,
        "on_time_rate": "100.00",
    },
    "procedures": [
        {
            "code": "1.000001",
            "name": "Đăng ký khai sinh",
            "received": 3,
            "resolved": 2,
            "early": 1,
            "on_time": 1,
            "late": 0,
            "withdrawn": 0,
            "pending_overdue": 1,
            "on_time_rate": "100.00",
        }
    ],
}


def populate(world):
    import copy
    import datetime as dt

    from indicators.models import PublishedStatistic, StatisticErratum

    authors = {getattr(world, rel).pk: world.users[(rel, "leader")] for rel in world.RELATIONS}
    for place in world.agencies():
        statistic = PublishedStatistic.objects.create(
            agency=place,
            month=dt.date(2025, 3, 1),
            published_on=dt.date(2025, 4, 8),
            figures=FIGURES,
        )
        corrected = copy.deepcopy(FIGURES)
        corrected["total"]["received"] = 4
        world.objects["pubstat", place.pk] = statistic
        world.objects["puberratum", place.pk] = StatisticErratum.objects.create(
            statistic=statistic,
            published_on=dt.date(2025, 4, 15),
            figures=corrected,
            reason=f"Nhập bổ sung {world.mark(place, 'erratum')}",
            created_by=authors.get(place.pk),
        )


def _statistic(world):
    return {"pk": world.objects["pubstat", world.node.pk].pk}


OBJECT_KWARGS = [
    ("published_statistics:*", "pk", lambda w: w.objects["pubstat", w.node.pk].pk),
    ("public_statistics*", "code", lambda w: w.node.code),
    ("public_statistics_month", "year", lambda w: 2025),
    ("public_statistics_month", "month", lambda w: 3),
]

RULES = [
    Rule("published_statistics:index", KEEPERS_ANYWHERE, shows="erratum"),
    Rule(
        "published_statistics:index_results",
        KEEPERS_ANYWHERE,
        shows="erratum",
        query={"q": ""},
        exports=True,
    ),
    Rule(
        "published_statistics:transition",
        NODE_LEADERS,
        kwargs=lambda w: {**_statistic(w), "transition": "erratum"},
        note="the erratum's form: the node's leaders and those above",
    ),
    Rule(
        "published_statistics:inspect",
        NODE_KEEPERS,
        kwargs=_statistic,
        shows="erratum",
        note="a month's page with its errata: the node's officers and leaders and above",
    ),
    Rule(
        "published_statistics:*",
        NODE_KEEPERS,
        kwargs=_statistic,
        note="a month's history and usage: the node's officers and leaders and above",
    ),
    Rule("public_statistics", EVERYONE, note="public: the months published, no login"),
    Rule("public_statistics_month", EVERYONE, note="public: one month published"),
    Rule("public_statistics_csv", EVERYONE, note="public: the open-data CSV"),
]
