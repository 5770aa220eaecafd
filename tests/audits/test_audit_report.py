"""The audit report PDF (issue 8 point 5): the report transition takes the team's conclusion; the
PDF names the auditee, the scope, the team, the checklist's results, the findings by clause (with
a recurrence) and the conclusion, with the signature blocks; whoever reads the audit downloads it
from its page, nobody else."""

import pytest
from django.urls import reverse

from audits.models import ChecklistItem, Clause, FindingKind, ItemResult
from audits.report import audit_report_document, audit_report_pdf
from audits.services.audits import audit_report, audit_start
from qms.models import Role
from tests.audits.test_audits import _auditor, _plan
from tests.audits.test_findings import _record
from tests.qms.pdf_text import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(world):
    return _auditor(world)


@pytest.fixture
def audit(world, lead):
    audit = _plan(world, lead=lead)
    audit_start(actor=lead, instance=audit)
    return audit


def _findings(world, audit, lead):
    audit.clauses.add(Clause.objects.get(number="8.5.1"))
    ChecklistItem.objects.create(
        audit=audit,
        clause=Clause.objects.get(number="8.5.1"),
        text="Hồ sơ có phiếu kiểm soát không?",
        result=ItemResult.NONCONFORMITY,
    )
    ChecklistItem.objects.create(
        audit=audit, clause=Clause.objects.get(number="7.5.3"), text="Lưu trữ?", result="conforms"
    )
    nc = _record(world, lead, audit=audit, description="Thiếu phiếu kiểm soát quá trình.")
    observation = _record(
        world,
        lead,
        audit=audit,
        kind=FindingKind.OBSERVATION,
        clause=Clause.objects.get(number="7.5.3"),
        description="Nên số hóa sổ theo dõi.",
    )
    return nc, observation


def test_the_report_transition_stores_the_conclusion(world, audit, lead):
    audit_report(actor=lead, instance=audit, conclusion="  Hệ thống cơ bản phù hợp.  ")
    audit.refresh_from_db()
    assert audit.conclusion == "Hệ thống cơ bản phù hợp."


def test_the_pdf_holds_scope_team_findings_and_conclusion(world, audit, lead):
    nc, observation = _findings(world, audit, lead)
    audit_report(actor=lead, instance=audit, conclusion="Hệ thống cơ bản phù hợp.")
    audit.refresh_from_db()
    words = audit_report_document(audit).text()
    assert "BÁO CÁO ĐÁNH GIÁ NỘI BỘ" in words and "DG-01" in words
    assert "Điều khoản 8.5.1" in words and "Điều khoản 7.5.3" in words
    assert words.index("Điều khoản 7.5.3") < words.index("Điều khoản 8.5.1")
    assert "Không phù hợp\t1" in words and "Phù hợp\t1" in words
    assert "Trưởng đoàn đánh giá" in words and "Lãnh đạo đơn vị được đánh giá" in words
    text = pdf_text(audit_report_pdf(audit))
    for expected in (nc.code, observation.code, "Hệ thống cơ bản phù hợp.", "Sở Tư pháp thử"):
        assert expected in text, expected
    assert "Thiếu phiếu kiểm soát quá trình." in text


def test_whoever_reads_the_audit_downloads_it(world, client, lead):
    audit = _plan(world, lead=lead)
    url = reverse("audit_report_pdf", args=[audit.pk])
    client.force_login(world.users["node", Role.OFFICER])
    inspect = client.get(reverse("audits:inspect", args=[audit.pk])).content.decode()
    assert url in inspect and "Báo cáo đánh giá (PDF)" in inspect
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    client.force_login(lead)  # the team, by relation
    assert client.get(url).status_code == 200
    for label in (("sibling", Role.OFFICER), ("node", Role.STAFF)):
        client.force_login(world.users[label])
        assert client.get(url).status_code == 404, label


def test_the_report_transition_form_takes_the_conclusion(world, audit, lead, client):
    client.force_login(lead)
    url = reverse("audits:transition", args=[audit.pk, "report"])
    assert "Kết luận của đoàn đánh giá" in client.get(url).content.decode()
    client.post(url, {"conclusion": "Đạt yêu cầu."})
    audit.refresh_from_db()
    assert audit.state == "reported" and audit.conclusion == "Đạt yêu cầu."
