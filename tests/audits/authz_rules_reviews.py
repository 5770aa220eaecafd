"""Matrix rules and marked objects of management reviews (gathered by tests/audits/authz_rules.py).

Each agency has a planned review whose title carries its marker (the list shows it) and whose
other attendees carry another (the inspect page and the minutes show them), chaired by a leader
of the agency (the node's leader for its unit) with its members attending. Reviews are read by
officers, leaders and staff of the agency and above (its minutes PDF too), planned, changed and
recorded as held by its officers and leaders and those above (audits/rules_reviews.py).
Auditors reach none of them; nothing is deleted except by the administrator.
"""

from tests.authz import ADMIN, Rule, on_node

READERS = on_node("officer", "leader", "staff", sibling=True)
KEEPERS_ANYWHERE = on_node("officer", "leader", sibling=True)
NODE_READERS = on_node("officer", "leader", "staff")
NODE_KEEPERS = on_node("officer", "leader")


def populate(world):
    import datetime

    from django.utils import timezone

    from audits.models import ManagementReview
    from audits.services.reviews import review_save
    from qms.models import Role

    chairs = {
        world.parent.pk: world.users["parent", Role.LEADER],
        world.node.pk: world.users["node", Role.LEADER],
        world.sibling.pk: world.users["sibling", Role.LEADER],
        world.unit.pk: world.users["node", Role.LEADER],
    }
    year = timezone.localdate().year
    for place in world.agencies():
        relation = next((r for r in world.RELATIONS if getattr(world, r).pk == place.pk), None)
        if relation is None:  # the unit: its staff member attends
            attendees = [world.objects["unit_member"]]
        else:
            attendees = [world.users[relation, Role.OFFICER], world.users[relation, Role.STAFF]]
        world.objects["management_review", place.pk] = review_save(
            actor=None,
            instance=ManagementReview(
                agency=place,
                title=f"Xem xét của lãnh đạo {world.mark(place, 'mgmtreview')}",
                period_start=datetime.date(year, 1, 1),
                period_end=datetime.date(year, 12, 31),
                planned_on=datetime.date(year, 12, 15),
                chair=chairs[place.pk],
                other_attendees=f"Khách mời {world.mark(place, 'reviewguest')}",
            ),
            attendees=attendees,
        )


def _node_review(world):
    return {"pk": world.objects["management_review", world.node.pk].pk}


RULES = [
    Rule("management_reviews:index", READERS, shows="mgmtreview"),
    Rule("management_reviews:index_results", READERS, shows="mgmtreview", exports=True),
    Rule("management_reviews:add", KEEPERS_ANYWHERE),
    Rule("management_reviews:edit", NODE_KEEPERS, kwargs=_node_review),
    Rule(
        "management_reviews:delete",
        ADMIN,
        kwargs=_node_review,
        note="the minutes of the leadership: only the administrator deletes",
    ),
    Rule(
        "management_reviews:transition",
        NODE_KEEPERS,
        kwargs=lambda w: {**_node_review(w), "transition": "hold"},
        note="record the node's meeting as held: its officers and leaders and those above",
    ),
    Rule(
        "management_review_minutes_pdf",
        NODE_READERS,
        kwargs=_node_review,
        note="the minutes: whoever reads the review (members of the node and above, no auditor)",
    ),
    Rule(
        "management_reviews:*",
        NODE_READERS,
        kwargs=_node_review,
        note="inspect, history, usage: the node's members (not auditors) and those above",
    ),
]
