"""Matrix rules and marked objects of audits (found by tests/authz.py)."""

from tests.authz import ADMIN, MEMBERS, ROLES, Rule, on_node

MEMBERS_AND_ADMIN = MEMBERS | ADMIN


def populate(world):
    populate_questions(world)
    populate_auditors(world)
    populate_audits(world)


# --- The clause catalogue and the question bank -------------------------------------------------
# The clauses are reference data (no private value). Each agency has a question on clause 4 whose
# text carries its marker (clause 4 sorts first, so the list's first page shows it). Members read
# their agency's and its units' questions by role and those of the bodies above by relation
# (audits/rules_clauses.py): the parent's question is granted to the node's and the sibling's
# people. Officers and leaders of the node (and above) change the node's question.


def populate_questions(world):
    from audits.models import Clause, Question

    clause = Clause.objects.get(number="4")
    for place in world.agencies():
        world.objects["question", place.pk] = Question.objects.create(
            clause=clause, agency=place, text=f"Câu hỏi {world.mark(place, 'question')}"
        )
    above = f"mk{world.parent.pk}xquestion"
    for label, _user in world.actors():
        if label.startswith(("node_", "sibling_")):
            world.granted[label] = set(world.granted.get(label, ())) | {above}


def _clause(world):
    from audits.models import Clause

    return {"pk": Clause.objects.get(number="4").pk}


def _node_question(world):
    return {"pk": world.objects["question", world.node.pk].pk}


RULES = [
    Rule("iso_clauses:index", MEMBERS_AND_ADMIN),
    Rule("iso_clauses:index_results", MEMBERS_AND_ADMIN, query={"q": "kiem soat"}),
    Rule(
        "iso_clauses:*",
        MEMBERS_AND_ADMIN,
        kwargs=_clause,
        note="inspect (with the questions the reader may see), history, usage: reference data",
    ),
    Rule("audit_questions:index", MEMBERS_AND_ADMIN, shows="question"),
    Rule(
        "audit_questions:index_results",
        MEMBERS_AND_ADMIN,
        shows="question",
        query={"q": "Câu hỏi"},
        exports=True,
    ),
    Rule("audit_questions:add", on_node("officer", "leader", sibling=True)),
    Rule("audit_questions:edit", on_node("officer", "leader"), kwargs=_node_question),
    Rule(
        "audit_questions:delete",
        ADMIN,
        kwargs=_node_question,
        note="a question is taken out of use, not deleted (checklists will reference it)",
    ),
    Rule(
        "audit_questions:transition",
        on_node("officer", "leader"),
        kwargs=lambda w: {**_node_question(w), "transition": "deactivate"},
        note="take the node's question out of use: its officers and leaders and those above",
    ),
    Rule(
        "audit_questions:*",
        on_node(*ROLES),
        kwargs=_node_question,
        note="inspect, history, usage: every member of the node and above",
    ),
]

# --- Internal auditors' qualifications ------------------------------------------------------------
# Each agency's auditor (a new one on the unit) has a qualification whose certificate number and
# training carry the agency's marker. Officers, leaders and auditors of the agency and above read
# them (audits/rules_auditors.py); its officers and leaders (and those above) record and correct
# them; staff see none. The add form offers only the auditors of the actor's scope.


def populate_auditors(world):
    import datetime

    from audits.models import AuditorQualification
    from audits.services.auditors import qualification_save
    from qms.models import Role
    from tests import factories

    auditors = {
        world.parent.pk: world.users["parent", Role.AUDITOR],
        world.node.pk: world.users["node", Role.AUDITOR],
        world.sibling.pk: world.users["sibling", Role.AUDITOR],
        world.unit.pk: factories.member(
            world.unit,
            Role.AUDITOR,
            username="world_unit_auditor",
            last_name=f"Lê {world.mark(world.unit, 'person')}",
        ),
    }
    for place in world.agencies():
        world.objects["qualification", place.pk] = qualification_save(
            actor=None,
            instance=AuditorQualification(
                user=auditors[place.pk],
                agency=place,
                training=f"Đánh giá viên nội bộ {world.mark(place, 'training')}",
                certificate_number=f"CC-{world.mark(place, 'qualification')}",
                qualified_on=datetime.date(2024, 5, 10),
            ),
        )


def _node_qualification(world):
    return {"pk": world.objects["qualification", world.node.pk].pk}


QUALIFICATION_READERS = frozenset(
    {"admin"}
    | {
        f"{rel}_{role}"
        for rel in ("node", "sibling", "parent")
        for role in ROLES
        if role != "staff"
    }
)

RULES += [
    Rule("auditor_qualifications:index", QUALIFICATION_READERS, shows="qualification"),
    Rule(
        "auditor_qualifications:index_results",
        QUALIFICATION_READERS,
        shows="qualification",
        query={"q": "CC-"},
        exports=True,
    ),
    Rule("auditor_qualifications:add", on_node("officer", "leader", sibling=True)),
    Rule("auditor_qualifications:edit", on_node("officer", "leader"), kwargs=_node_qualification),
    Rule(
        "auditor_qualifications:delete",
        ADMIN,
        kwargs=_node_qualification,
        note="a qualification is corrected, not deleted (its history is the record)",
    ),
    Rule(
        "auditor_qualifications:*",
        on_node("officer", "leader", "auditor"),
        kwargs=_node_qualification,
        note="inspect, history, usage: the node's officers, leaders, auditors and those above",
    ),
]

# --- Internal audits ----------------------------------------------------------------------------
# Each agency has a planned audit whose code and title carry its marker, led by the agency's own
# (qualified, independent: no working role) auditor, so whoever reads the audit may read the lead's
# name. Officers, leaders and auditors of the auditee and above read it (audits/rules_audits.py);
# the planners (officers and leaders of the auditee and above, auditors of a body above) change
# and cancel it; staff see none. The audits are planned, not open: the read-only procedure view
# answers only an open audit's team (tested in tests/audits/test_audits.py), here nobody.


def populate_audits(world):
    import datetime

    from django.utils import timezone

    from audits.models import Audit, AuditorQualification
    from audits.services.audits import audit_plan

    start = timezone.localdate() + datetime.timedelta(days=30)
    for place in world.agencies():
        lead = AuditorQualification.objects.get(agency=place).user
        world.objects["audit", place.pk] = audit_plan(
            actor=None,
            instance=Audit(
                agency=place,
                code=f"DG-{world.mark(place, 'audit')}",
                title=f"Đánh giá {world.mark(place, 'audittitle')}",
                objectives="Xác định sự phù hợp với TCVN ISO 9001:2015.",
                criteria="TCVN ISO 9001:2015",
                planned_start=start,
                planned_end=start + datetime.timedelta(days=2),
                lead_auditor=lead,
            ),
        )


def _node_audit(world):
    return {"pk": world.objects["audit", world.node.pk].pk}


AUDIT_READERS = QUALIFICATION_READERS
AUDIT_PLANNERS = frozenset(
    {"admin", "node_officer", "node_leader", "parent_officer", "parent_leader", "parent_auditor"}
)

RULES += [
    Rule("audits:index", AUDIT_READERS, shows="audit"),
    Rule(
        "audits:index_results",
        AUDIT_READERS,
        shows="audit",
        query={"q": "DG-"},
        exports=True,
    ),
    Rule("audits:add", on_node("officer", "leader", "auditor", sibling=True)),
    Rule(
        "audits:edit",
        AUDIT_PLANNERS,
        kwargs=_node_audit,
        note="while planned: officers and leaders of the node and above, auditors of a body above",
    ),
    Rule(
        "audits:delete",
        ADMIN,
        kwargs=_node_audit,
        note="an audit is cancelled, not deleted",
    ),
    Rule(
        "audits:transition",
        AUDIT_PLANNERS,
        kwargs=lambda w: {**_node_audit(w), "transition": "cancel"},
        note="cancel the node's planned audit: its planners",
    ),
    Rule(
        "audits:*",
        on_node("officer", "leader", "auditor"),
        kwargs=_node_audit,
        note="inspect, history, usage: the node's officers, leaders, auditors and those above",
    ),
    Rule(
        "audit_procedure",
        frozenset(),
        kwargs=lambda w: {
            "audit_id": w.objects["audit", w.node.pk].pk,
            "page_id": w.objects["procedure", w.node.pk].pk,
        },
        ok=frozenset({200}),
        note="the world's audits are planned: nobody reads through them (404); an open audit's "
        "team does (tests/audits/test_audits.py)",
    ),
]
