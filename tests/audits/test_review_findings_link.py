"""A finding from a management review (``finding_record`` with ``management_review``) carries
the source "management review" and an agency of the review's own subtree; the review it came
from never changes afterwards (``finding_update``)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audits.models import Finding, FindingKind, FindingSource, ManagementReview
from audits.services.findings import finding_record, finding_update
from audits.services.reviews import review_hold, review_raise_finding, review_save
from qms.models import Role

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _held(world, agency=None):
    agency = agency or world.node
    relation = "sibling" if agency == world.sibling else "node"
    officer = world.users[relation, Role.OFFICER]
    review = review_save(
        actor=officer,
        instance=ManagementReview(
            agency=agency,
            title=f"Xem xét của lãnh đạo – {agency.name}",
            period_start=TODAY.replace(month=1, day=1),
            period_end=TODAY,
            planned_on=TODAY,
            chair=world.users[relation, Role.LEADER],
        ),
        attendees=[officer],
    )
    return review_hold(actor=officer, instance=review, held_on=TODAY, decisions="Kết luận.")


def _finding(world, review, **extra):
    return Finding(
        agency=extra.pop("agency", world.node),
        kind=FindingKind.MINOR_NC,
        source=extra.pop("source", FindingSource.MANAGEMENT_REVIEW),
        management_review=review,
        description="Chưa khảo sát sự hài lòng theo kế hoạch.",
        raised_on=TODAY,
        **extra,
    )


def test_a_review_finding_has_the_review_source_and_an_agency_of_its_subtree(world):
    review = _held(world)
    officer = world.users["parent", Role.OFFICER]
    with pytest.raises(ValidationError) as exc:
        finding_record(actor=officer, instance=_finding(world, review, source="complaint"))
    assert "source" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        finding_record(actor=officer, instance=_finding(world, review, agency=world.sibling))
    assert world.sibling.name in " ".join(exc.value.message_dict["agency"])
    unit_finding = finding_record(
        actor=officer, instance=_finding(world, review, agency=world.unit)
    )
    assert unit_finding.management_review == review
    assert not Finding.objects.filter(agency=world.sibling).exists()


def test_the_review_a_finding_came_from_never_changes(world):
    review = _held(world)
    other = _held(world, world.sibling)
    officer = world.users["node", Role.OFFICER]
    finding = review_raise_finding(
        actor=officer, instance=review, kind=FindingKind.OPPORTUNITY, description="Số hóa sổ."
    )
    finding.management_review = other
    with pytest.raises(ValidationError) as exc:
        finding_update(actor=world.users["parent", Role.OFFICER], instance=finding)
    assert finding.code in " ".join(exc.value.message_dict["management_review"])
    assert Finding.objects.get(pk=finding.pk).management_review == review
