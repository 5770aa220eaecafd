"""Concurrent publication of one procedure's revisions (its own module: the test commits rows,
``transaction=True``, and pytest-xdist keeps such modules after the others on each worker)."""

import threading

import pytest

from documents.models import IssueCounter, IssueStatus, ProcedureIssue, ProcedurePage
from tests.documents.test_issues import _draft


def _publish_at_once(revisions):
    """Publish each of ``revisions`` from its own thread, all released at the same moment, as
    workers running ``publish_scheduled`` do (no surrounding transaction). Returns the errors."""
    barrier = threading.Barrier(len(revisions))
    errors = []

    def publish(revision):
        from django.db import connection

        try:
            barrier.wait()
            revision.publish(skip_permission_checks=True)
        except Exception as exc:  # noqa: BLE001 - the test reports every failure
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=publish, args=(r,)) for r in revisions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_publications_never_repeat_or_skip_a_number(world):
    """Revisions of one procedure published at the same moment: the numbers are 1…n without a
    gap or a repeat, the last is the live revision's, and a revision published by several
    workers at once gets one number. Runs on the suite's database: on PostgreSQL (the CI's
    second pass) the counter's row lock is what serialises them; SQLite serialises every writer
    anyway."""
    page = _draft(world)
    revisions = []
    for n in range(6):
        page = ProcedurePage.objects.get(pk=page.pk)
        page.change_summary = f"Sửa đổi {n}"
        revisions.append(page.save_revision())
    assert _publish_at_once(revisions) == []
    issues = list(ProcedureIssue.objects.filter(procedure=page).order_by("number"))
    # A revision overtaken by another before its issue was recorded takes no number.
    assert [i.number for i in issues] == list(range(1, len(issues) + 1))
    assert len({i.revision_id for i in issues}) == len(issues) >= 1
    assert issues[-1].revision_id == ProcedurePage.objects.get(pk=page.pk).live_revision_id
    assert [i.status for i in issues] == [IssueStatus.SUPERSEDED] * (len(issues) - 1) + [
        IssueStatus.IN_FORCE
    ]

    page = ProcedurePage.objects.get(pk=page.pk)
    page.change_summary = "Một lần, bốn tiến trình"
    once = page.save_revision()
    assert _publish_at_once([once] * 4) == []
    latest = ProcedureIssue.objects.filter(procedure=page).order_by("-number").first()
    assert latest.revision_id == once.pk and latest.number == len(issues) + 1
    assert ProcedureIssue.objects.filter(procedure=page).count() == len(issues) + 1
    assert IssueCounter.objects.get(procedure=page).last_number == len(issues) + 1
