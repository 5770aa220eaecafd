"""Matrix rules and marked objects of the yearly audit programme and its entries (gathered by
tests/audits/authz_rules.py).

Each agency has two programmes of its own scope: next year's draft, whose objectives carry the
marker "programme", with an entry whose note carries "programmeentry"; and this year's approved
one (objectives "programmeok"), with an entry not yet scheduled (note "programmeentryok"). Officers,
leaders and internal auditors of the scope body and above read them; officers and internal
auditors prepare (add, change the draft and its entries, delete a draft's entry, schedule the
approved entry's audit); the "refresh priorities" transition is for all three. Staff and other
agencies reach nothing; a programme is deleted only by the administrator
(audits/rules_programme.py).
"""

from tests.authz import ADMIN, Rule, on_node

READERS = on_node("officer", "leader", "auditor", sibling=True)
PREPARERS_ANYWHERE = on_node("officer", "auditor", sibling=True)
NODE_READERS = on_node("officer", "leader", "auditor")
NODE_PREPARERS = on_node("officer", "auditor")


def populate(world):
    from django.utils import timezone

    from audits.models import AuditProgramme, ProgrammeEntry
    from audits.services.programme import entry_save, programme_approve, programme_save

    year = timezone.localdate().year
    for place in world.agencies():
        draft = programme_save(
            actor=None,
            instance=AuditProgramme(
                agency=place, year=year + 1, objectives=f"Mục tiêu {world.mark(place, 'programme')}"
            ),
        )
        world.objects["programme", place.pk] = draft
        world.objects["programmeentry", place.pk] = entry_save(
            actor=None,
            instance=ProgrammeEntry(
                programme=draft,
                auditee=place,
                quarter=2,
                note=f"Ghi chú {world.mark(place, 'programmeentry')}",
            ),
            clauses=[],
            administrative_procedures=[],
        )
        approved = programme_save(
            actor=None,
            instance=AuditProgramme(
                agency=place, year=year, objectives=f"Mục tiêu {world.mark(place, 'programmeok')}"
            ),
        )
        world.objects["programmeentryok", place.pk] = entry_save(
            actor=None,
            instance=ProgrammeEntry(
                programme=approved,
                auditee=place,
                quarter=4,
                note=f"Ghi chú {world.mark(place, 'programmeentryok')}",
            ),
            clauses=[],
            administrative_procedures=[],
        )
        programme_approve(actor=None, instance=approved)
        world.objects["programmeok", place.pk] = approved


def _node(kind):
    return lambda world: {"pk": world.objects[kind, world.node.pk].pk}


RULES = [
    Rule("audit_programmes:index", READERS, shows="programme"),
    Rule(
        "audit_programmes:index_results",
        READERS,
        shows="programme",
        query={"q": "Mục tiêu"},
        exports=True,
    ),
    Rule("audit_programmes:add", PREPARERS_ANYWHERE),
    Rule("audit_programmes:edit", NODE_PREPARERS, kwargs=_node("programme")),
    Rule(
        "audit_programmes:delete",
        ADMIN,
        kwargs=_node("programme"),
        note="a programme is returned to draft and amended, never deleted",
    ),
    Rule(
        "audit_programmes:transition",
        NODE_READERS,
        kwargs=lambda w: {**_node("programmeok")(w), "transition": "refresh"},
        note="refresh the priorities of the node's approved programme: its preparers and leaders",
    ),
    Rule(
        "audit_programmes:*",
        NODE_READERS,
        kwargs=_node("programme"),
        note="inspect (entries, progress, coverage), history, usage: the node's readers and above",
    ),
    Rule("programme_entries:index", READERS, shows="programmeentry"),
    Rule(
        "programme_entries:index_results",
        READERS,
        shows="programmeentry",
        query={"q": "Ghi chú"},
        exports=True,
    ),
    Rule("programme_entries:add", PREPARERS_ANYWHERE),
    Rule("programme_entries:edit", NODE_PREPARERS, kwargs=_node("programmeentry")),
    Rule(
        "programme_entries:delete",
        NODE_PREPARERS,
        kwargs=_node("programmeentry"),
        note="an entry of a draft programme is taken out by its preparers",
    ),
    Rule(
        "programme_entries:transition",
        NODE_PREPARERS,
        kwargs=lambda w: {**_node("programmeentryok")(w), "transition": "schedule"},
        note="schedule the audit of the node's approved entry: its preparers and those above",
    ),
    Rule(
        "programme_entries:*",
        NODE_READERS,
        kwargs=_node("programmeentry"),
        note="inspect, history, usage: the node's readers and above",
    ),
]
