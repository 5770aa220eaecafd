"""Demo acknowledgements: half the people expected to read the Department of Justice's notary
procedure (QT-01/STP, its issue in force) have acknowledged it. ``stp-staff`` has not, so the
dashboard shows that person the panel "Quy trình mới cần đọc" and its button; ``stp-officer``
(and ``stp-leader``) see "x/y đã xác nhận" on the issue. Runs after ``documents.demo`` (which makes
the procedure); idempotent."""

from documents import acknowledgement_selectors as selectors
from documents.models import ProcedureIssue
from documents.selectors import issue_in_force
from documents.services.acknowledgements import acknowledgement_record

AGENCY, CODE = "STP", "QT-01/STP"
# Never acknowledged by the demo, whoever else is: the staff login that shows the panel.
LEFT_FOR_THE_DEMO = {"stp-staff"}


def seed() -> dict:
    issue = (
        ProcedureIssue.objects.filter(procedure__agency__code=AGENCY, code=CODE)
        .select_related("procedure__agency")
        .order_by("-number")
        .first()
    )
    if issue is None or issue_in_force(issue.procedure) != issue:
        return {"acknowledgements": 0}
    people = sorted(
        (p for p in selectors.expected_readers(issue) if p.username not in LEFT_FOR_THE_DEMO),
        key=lambda person: person.username,
    )
    half = (len(people) + len(LEFT_FOR_THE_DEMO)) // 2
    created = 0
    for person in people[:half]:
        if person.acknowledged_at is None:
            acknowledgement_record(actor=person, issue=issue)
            created += 1
    return {"acknowledgements": created}
