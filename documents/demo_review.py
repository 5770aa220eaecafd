"""Demo data of the review of procedures (wired into ``documents/demo.py`` by its ``seed``).

After the demo procedures (documents/demo.py) went live, their legal basis is in the register
(each issue's citations). Here a decree replacing the one-stop Decree 118/2025/NĐ-CP is recorded
with an effective date five months back, so the procedures that cite it (the Department of
Finance's and the Department of Home Affairs') are overdue for review by the legal deadline
(3 months): the report shows them with the new decree's number. The decree is invented (marked
"minh họa"), as the demo's texts are. Gaps need no seeding: the demo city's wards handle civil
status TTHC for which no procedure is in force. Idempotent: a second run records nothing new.
"""

import datetime

from django.utils import timezone

from documents.master_list import add_months
from documents.models import LegalDocument, ProcedureReview, ReviewReason
from documents.selectors_review import review_gaps
from documents.services.review import (
    legal_document_key,
    legal_document_record,
    periodic_reviews_ensure,
)

REPLACED = "118/2025/NĐ-CP"


def _replacing_number(issued_on: datetime.date) -> str:
    return f"Nghị định 45/{issued_on.year}/NĐ-CP"


def seed() -> dict:
    created = {"legal_documents": 0, "reviews": 0, "periodic_reviews": 0}
    created["periodic_reviews"] = periodic_reviews_ensure()
    if not LegalDocument.objects.filter(number_key=legal_document_key(REPLACED)).exists():
        return created  # the demo procedures (which cite it) are not there
    if LegalDocument.objects.filter(replaces__number_key=legal_document_key(REPLACED)).exists():
        return created
    effective_on = add_months(timezone.localdate(), -5)
    issued_on = effective_on - datetime.timedelta(days=45)
    before = ProcedureReview.objects.filter(reason=ReviewReason.LEGAL_CHANGE).count()
    legal_document_record(
        actor=None,
        number=_replacing_number(issued_on),
        title=(
            "về thực hiện thủ tục hành chính theo cơ chế một cửa, một cửa liên thông "
            "(văn bản minh họa)"
        ),
        issuer="Chính phủ",
        issued_on=issued_on,
        effective_on=effective_on,
        replaces=[REPLACED],
    )
    created["legal_documents"] = 1
    created["reviews"] = (
        ProcedureReview.objects.filter(reason=ReviewReason.LEGAL_CHANGE).count() - before
    )
    return created


def gaps_count() -> int:
    """How many (agency, TTHC) pairs of the demo have no procedure in force (shown, not made)."""
    return len(review_gaps())
