"""Matrix rules and marked objects of audits (found by tests/authz.py)."""

from tests.audits import authz_rules_programme, authz_rules_register, authz_rules_reviews
from tests.authz import ADMIN, MEMBERS, ROLES, Rule, on_node

MEMBERS_AND_ADMIN = MEMBERS | ADMIN


def populate(world):
    populate_questions(world)
    populate_auditors(world)
    populate_audits(world)
    populate_checklists(world)
    populate_findings(world)
    populate_actions(world)
    populate_complaints(world)
    authz_rules_register.populate(world)
    authz_rules_programme.populate(world)
    authz_rules_reviews.populate(world)


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

# --- Checklists ---------------------------------------------------------------------------------
# Each agency's (planned) audit has a checklist item whose question carries its marker, with an
# evidence file (a PDF in the auditee's collection, titled with its marker). Officers, leaders and
# auditors of the auditee and above read the checklist and the evidence (audits/rules_checklists.py);
# the team (the node's audit is led by the node's own auditor) reads it too and alone writes it:
# another reader is refused on the team's screens (Wagtail redirects a PermissionDenied to the
# dashboard), the administrator too (not on the team). The
# audit is planned: the team generates (nothing in scope: a message), adds, edits, moves and deletes
# (redirects to the list), sees the tablet view, but its autosave is refused with the audit's state
# (400; answering is tested in tests/audits/test_checklists.py).


def populate_checklists(world):
    from audits.models import ChecklistEvidence, ChecklistItem, Clause
    from tests import factories

    clause = Clause.objects.get(number="4")
    for place in world.agencies():
        item = ChecklistItem.objects.create(
            audit=world.objects["audit", place.pk],
            clause=clause,
            position=1,
            text=f"Câu hỏi phiếu {world.mark(place, 'checkitem')}",
        )
        world.objects["checkitem", place.pk] = item
        document = factories.document(
            place,
            title=f"Bằng chứng {world.mark(place, 'evidence')}",
            filename=f"bang-chung-{place.pk}.pdf",
        )
        world.objects["evidence", place.pk] = ChecklistEvidence.objects.create(
            item=item, document=document
        )


def _node_audit_id(world):
    return {"audit_id": world.objects["audit", world.node.pk].pk}


def _node_item_id(world):
    return {"item_id": world.objects["checkitem", world.node.pk].pk}


CHECKLIST_READERS = on_node("officer", "leader", "auditor")
NODE_TEAM = frozenset({"node_auditor"})

RULES += [
    Rule("audit_checklists:list", CHECKLIST_READERS, kwargs=_node_audit_id, shows="checkitem"),
    Rule(
        "audit_checklists:generate",
        NODE_TEAM,
        kwargs=_node_audit_id,
        ok=frozenset({302}),
        note="POST: the team (redirected to the list with the result); other readers 403",
    ),
    Rule("audit_checklists:add", NODE_TEAM, kwargs=_node_audit_id),
    Rule("audit_checklists:tablet", NODE_TEAM, kwargs=_node_audit_id),
    Rule(
        "audit_checklists:history",
        CHECKLIST_READERS,
        kwargs=_node_audit_id,
        shows="checkitem",
        note="who changed which item, when (simple-history): the checklist's readers",
    ),
    Rule("audit_checklists:edit", NODE_TEAM, kwargs=_node_item_id),
    Rule(
        "audit_checklists:move",
        NODE_TEAM,
        kwargs=_node_item_id,
        ok=frozenset({302}),
        note="POST: the team moves an unanswered item",
    ),
    Rule(
        "audit_checklists:delete",
        NODE_TEAM,
        kwargs=_node_item_id,
        ok=frozenset({302}),
        note="POST: the team deletes an unanswered item",
    ),
    Rule(
        "audit_checklists:autosave",
        NODE_TEAM,
        kwargs=_node_item_id,
        ok=frozenset({400}),
        note="POST: the team's autosave, refused while the audit is planned (the state named)",
    ),
    Rule(
        "audit_checklists:evidence",
        CHECKLIST_READERS,
        kwargs=lambda w: {"evidence_id": w.objects["evidence", w.node.pk].pk},
        note="the file, to readers of the item's evidence (not Wagtail's serve view)",
    ),
]


# --- Corrective actions --------------------------------------------------------------------------
# Each agency has a minor nonconformity (its code carries the agency's marker) with one open action
# owned by the agency's staff member; the node's action has an evidence file. Officers, leaders and
# auditors of the agency and above read the actions (audits/rules_actions.py); the owner reads
# their own by relation (here each staff member owns their agency's, so nothing outside their
# scope); officers and leaders change them. "Phân tích nguyên nhân" is for the owner or an officer.


def populate_actions(world):
    import datetime

    from django.utils import timezone

    from audits.models import Finding, FindingKind
    from audits.services.actions import action_open
    from qms.models import Role
    from tests import factories

    owners = {
        world.parent.pk: world.users["parent", Role.STAFF],
        world.node.pk: world.users["node", Role.STAFF],
        world.sibling.pk: world.users["sibling", Role.STAFF],
        world.unit.pk: world.objects["unit_member"],
    }
    today = timezone.localdate()
    for place in world.agencies():
        finding = Finding.objects.create(
            agency=place,
            code=f"PH-{world.mark(place, 'actionfinding')}",
            kind=FindingKind.MINOR_NC,
            description=f"Không phù hợp {world.mark(place, 'actiondesc')}",
            raised_on=today,
        )
        world.objects["action", place.pk] = action_open(
            actor=None,
            finding=finding,
            owner=owners[place.pk],
            due_date=today + datetime.timedelta(days=30),
            correction=f"Khắc phục {world.mark(place, 'correction')}",
        )
    evidence = factories.document(
        world.node,
        title=f"Bằng chứng {world.mark(world.node, 'actionevidence')}",
        filename=f"{world.mark(world.node, 'actionfile')}.pdf",
    )
    world.objects["action", world.node.pk].evidence_documents.add(evidence)
    world.objects["action_evidence"] = evidence


def _node_action(world):
    return {"pk": world.objects["action", world.node.pk].pk}


ACTION_READERS = on_node("officer", "leader") | {"node_staff"}
# Auditors read actions only by relation (verifier, open audit's team): none in this world; they
# reach the list (they may open an action for an open audit they lead) and find nothing there.
ACTION_LISTERS = frozenset(a for a in MEMBERS_AND_ADMIN if not a.endswith("_auditor"))

RULES += [
    Rule(
        "corrective_actions:index",
        MEMBERS_AND_ADMIN,
        shows="actionfinding",
        shows_for=ACTION_LISTERS,
        note="auditors (who may open an action) reach the list and find nothing of any agency",
    ),
    Rule(
        "corrective_actions:index_results",
        MEMBERS_AND_ADMIN,
        shows="actionfinding",
        shows_for=ACTION_LISTERS,
        query={"q": "PH-"},
        exports=True,
        note="staff list only the actions they own",
    ),
    Rule("corrective_actions:add", on_node("officer", "leader", "auditor", sibling=True)),
    Rule("corrective_actions:edit", on_node("officer", "leader"), kwargs=_node_action),
    Rule(
        "corrective_actions:delete",
        ADMIN,
        kwargs=_node_action,
        note="an action is closed, not deleted",
    ),
    Rule(
        "corrective_actions:transition",
        frozenset({"admin", "node_officer", "parent_officer", "node_staff"}),
        kwargs=lambda w: {**_node_action(w), "transition": "analyse"},
        note="the cause: the owner (node_staff) or an officer of the node or above",
    ),
    Rule(
        "corrective_actions:*",
        ACTION_READERS,
        kwargs=_node_action,
        note="inspect, history, usage: the node's officers, leaders, those above, and the owner",
    ),
    Rule(
        "corrective_action_evidence",
        ACTION_READERS,
        kwargs=lambda w: {
            "action_id": w.objects["action", w.node.pk].pk,
            "document_id": w.objects["action_evidence"].pk,
        },
        note="whoever reads the action",
    ),
]

# --- Findings -----------------------------------------------------------------------------------
# Each agency has a finding from a complaint (no audit) whose description and code carry its
# marker (the code is the service's PH-<year>-<n>, overwritten here so the list shows the marker);
# the node's is an observation, so its officers and leaders (and those above) may close it with a
# response. Officers and leaders of the agency and above read and change findings
# (audits/rules_findings.py); auditors read them only by relation; they reach the add form (the
# service lets them record only an open audit's findings, as its team); staff see none. The
# world's audits are planned: no team reads anything by relation here (tests/audits/
# test_findings.py covers the team's reads while the audit is open and after).


def populate_findings(world):
    import datetime

    from audits.models import Finding, FindingKind, FindingSource
    from audits.services.findings import finding_record

    for place in world.agencies():
        finding = finding_record(
            actor=None,
            instance=Finding(
                agency=place,
                kind=FindingKind.OBSERVATION if place == world.node else FindingKind.MINOR_NC,
                source=FindingSource.COMPLAINT,
                description=f"Phản ánh {world.mark(place, 'findingtext')}",
                raised_on=datetime.date(2026, 1, 15),
            ),
        )
        Finding.objects.filter(pk=finding.pk).update(code=f"PH-{world.mark(place, 'finding')}")
        world.objects["finding", place.pk] = finding


def _node_finding(world):
    return {"pk": world.objects["finding", world.node.pk].pk}


FINDING_READERS = frozenset(a for a in QUALIFICATION_READERS if not a.endswith("_auditor"))

RULES += [
    Rule(
        "audit_findings:index",
        QUALIFICATION_READERS,
        shows="finding",
        shows_for=FINDING_READERS,
        note="auditors (who record an open audit's findings) reach the list, see none here",
    ),
    Rule(
        "audit_findings:index_results",
        QUALIFICATION_READERS,
        shows="finding",
        shows_for=FINDING_READERS,
        query={"q": "PH-"},
        exports=True,
    ),
    Rule(
        "audit_findings:add",
        on_node("officer", "leader", "auditor", sibling=True),
        note="auditors reach the form; the service takes only an open audit's team's findings",
    ),
    Rule("audit_findings:edit", on_node("officer", "leader"), kwargs=_node_finding),
    Rule(
        "audit_findings:delete",
        ADMIN,
        kwargs=_node_finding,
        note="a finding is closed, never deleted",
    ),
    Rule(
        "audit_findings:transition",
        on_node("officer", "leader"),
        kwargs=lambda w: {**_node_finding(w), "transition": "respond_close"},
        note="close the node's observation with a response: its officers and leaders and above",
    ),
    Rule(
        "audit_findings:*",
        on_node("officer", "leader"),
        kwargs=_node_finding,
        note="inspect, history, usage: the node's officers, leaders and those above",
    ),
    Rule(
        "audit_report_pdf",
        on_node("officer", "leader", "auditor"),
        kwargs=lambda w: {"pk": w.objects["audit", w.node.pk].pk},
        note="the audit report: whoever reads the audit",
    ),
]

# --- Complaints and feedback --------------------------------------------------------------------
# Each agency has a complaint received (not answered) whose code and content carry its marker.
# Officers and leaders of the agency and above read and change it (audits/rules_complaints.py);
# nobody else (auditors, staff) reaches the screens at all. The complainant's contact (shown only
# to the agency's own officers and leaders) is tested in tests/audits/test_complaints.py: the
# leak test cannot tell it, since a body above may read the rest of its units' complaints.


def populate_complaints(world):
    import datetime

    from audits.models import Complaint, ComplaintKind
    from audits.services.complaints import complaint_record

    for place in world.agencies():
        complaint = complaint_record(
            actor=None,
            instance=Complaint(
                agency=place,
                kind=ComplaintKind.FEEDBACK,
                received_on=datetime.date(2026, 1, 15),
                content=f"Phản ánh {world.mark(place, 'complainttext')}",
            ),
        )
        Complaint.objects.filter(pk=complaint.pk).update(
            code=f"PA-{world.mark(place, 'complaint')}"
        )
        world.objects["complaint", place.pk] = complaint


def _node_complaint(world):
    return {"pk": world.objects["complaint", world.node.pk].pk}


COMPLAINT_KEEPERS = on_node("officer", "leader", sibling=True)

RULES += [
    Rule("complaints:index", COMPLAINT_KEEPERS, shows="complaint"),
    Rule(
        "complaints:index_results",
        COMPLAINT_KEEPERS,
        shows="complaint",
        query={"q": "PA-"},
        exports=True,
    ),
    Rule("complaints:add", COMPLAINT_KEEPERS),
    Rule("complaints:edit", on_node("officer", "leader"), kwargs=_node_complaint),
    Rule(
        "complaints:delete",
        ADMIN,
        kwargs=_node_complaint,
        note="a complaint is answered or withdrawn, never deleted",
    ),
    Rule(
        "complaints:transition",
        on_node("officer", "leader"),
        kwargs=lambda w: {**_node_complaint(w), "transition": "answer"},
        note="answer the node's complaint: its officers and leaders and those above",
    ),
    Rule(
        "complaints:*",
        on_node("officer", "leader"),
        kwargs=_node_complaint,
        note="inspect, history, usage: the node's officers, leaders and those above; no auditor",
    ),
]

# --- The QMS register, the programme and management reviews: their own modules ---------------
RULES += authz_rules_register.RULES + authz_rules_programme.RULES + authz_rules_reviews.RULES
