"""Matrix rules and marked objects of the QMS register (scope, policy), risks and opportunities,
conformity announcements and external inspections (gathered by tests/audits/authz_rules.py).

Each agency has a register whose scope text carries its marker, a risk whose title carries it, a
conformity announcement whose number carries it (no signed document: an announcement protects
its document, and the matrix deletes the world's documents) and an external inspection whose
conclusion number carries it. The register, the risks and the
announcements are read by officers, leaders and staff of the agency and above, and kept (add,
change, the risk's "close") by its officers and leaders and those above; the inspections are read
and kept by officers and leaders only (audits/rules_register.py). Auditors reach none of them;
nothing is deleted except by the administrator.
"""

from tests.authz import ADMIN, Rule, on_node

READERS = on_node("officer", "leader", "staff", sibling=True)
KEEPERS_ANYWHERE = on_node("officer", "leader", sibling=True)
NODE_READERS = on_node("officer", "leader", "staff")
NODE_KEEPERS = on_node("officer", "leader")


def populate(world):
    import datetime

    from audits.models import (
        ConformityAnnouncement,
        ExternalInspection,
        QualitySystem,
        Risk,
        RiskKind,
    )
    from audits.services.register import (
        announcement_save,
        inspection_save,
        quality_system_save,
        risk_save,
    )

    for place in world.agencies():
        world.objects["qualitysystem", place.pk] = quality_system_save(
            actor=None,
            instance=QualitySystem(
                agency=place,
                scope=f"Phạm vi {world.mark(place, 'qmsscope')}",
                quality_policy=f"Chính sách {world.mark(place, 'qmspolicy')}",
                policy_issued_on=datetime.date(2025, 3, 1),
            ),
            units=[place],
        )
        world.objects["risk", place.pk] = risk_save(
            actor=None,
            instance=Risk(
                agency=place,
                kind=RiskKind.RISK,
                title=f"Rủi ro {world.mark(place, 'risk')}",
                likelihood=3,
                impact=4,
                treatment=f"Xử lý {world.mark(place, 'risktreatment')}",
            ),
        )
        world.objects["announcement", place.pk] = announcement_save(
            actor=None,
            instance=ConformityAnnouncement(
                agency=place,
                announced_on=datetime.date(2025, 6, 1),
                number=f"CB-{world.mark(place, 'announcement')}",
                posted_at=f"Trụ sở {world.mark(place, 'posted')}",
            ),
        )
        world.objects["inspection", place.pk] = inspection_save(
            actor=None,
            instance=ExternalInspection(
                agency=place,
                inspected_on=datetime.date(2026, 1, 5),
                concluded_on=datetime.date(2026, 1, 15),
                conclusion_number=f"KL-{world.mark(place, 'inspection')}",
                summary=f"Kết luận {world.mark(place, 'inspectionsummary')}",
            ),
        )


def _node(kind):
    return lambda world: {"pk": world.objects[kind, world.node.pk].pk}


RULES = []

for _prefix, _kind, _marker in (
    ("quality_systems", "qualitysystem", "qmsscope"),
    ("quality_risks", "risk", "risk"),
    ("conformity_announcements", "announcement", "announcement"),
):
    RULES += [
        Rule(f"{_prefix}:index", READERS, shows=_marker),
        Rule(f"{_prefix}:index_results", READERS, shows=_marker, exports=True),
        Rule(f"{_prefix}:add", KEEPERS_ANYWHERE),
        Rule(f"{_prefix}:edit", NODE_KEEPERS, kwargs=_node(_kind)),
        Rule(
            f"{_prefix}:delete",
            ADMIN,
            kwargs=_node(_kind),
            note="kept as a record: only the administrator deletes",
        ),
    ]

RULES += [
    Rule(
        "quality_risks:transition",
        NODE_KEEPERS,
        kwargs=lambda w: {**_node("risk")(w), "transition": "close"},
        note="close the node's risk: its officers and leaders and those above",
    ),
    Rule(
        "external_inspections:index",
        KEEPERS_ANYWHERE,
        shows="inspection",
        note="officers and leaders only: the inspections carry nonconformities",
    ),
    Rule(
        "external_inspections:index_results",
        KEEPERS_ANYWHERE,
        shows="inspection",
        query={"q": "KL-"},
        exports=True,
    ),
    Rule("external_inspections:add", KEEPERS_ANYWHERE),
    Rule("external_inspections:edit", NODE_KEEPERS, kwargs=_node("inspection")),
    Rule(
        "external_inspections:delete",
        ADMIN,
        kwargs=_node("inspection"),
        note="an inspection is reported, never deleted",
    ),
    Rule(
        "external_inspections:transition",
        NODE_KEEPERS,
        kwargs=lambda w: {**_node("inspection")(w), "transition": "record_finding"},
        note="record a finding of the node's inspection: its officers and leaders and above",
    ),
    Rule(
        "external_inspections:*",
        NODE_KEEPERS,
        kwargs=_node("inspection"),
        note="inspect, history, usage: the node's officers, leaders and those above",
    ),
]

for _prefix, _kind in (
    ("quality_systems", "qualitysystem"),
    ("quality_risks", "risk"),
    ("conformity_announcements", "announcement"),
):
    RULES.append(
        Rule(
            f"{_prefix}:*",
            NODE_READERS,
            kwargs=_node(_kind),
            note="inspect, history, usage: the node's members (not auditors) and those above",
        )
    )
