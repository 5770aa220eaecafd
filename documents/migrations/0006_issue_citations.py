"""The legal basis of every issue recorded before the register existed becomes citations.

A data migration rather than a management command: it runs once, with the deployment that brings
the register, in the order migrations run, so no operator step can be forgotten and every later
"replaces"/"amends" finds the procedures that cite the old document. Issues made afterwards get
their citations at go-live (documents.services.review.issue_citations_record). Running it twice
adds nothing (rows are matched by key).
"""

import datetime

from django.db import migrations


def _date(value):
    try:
        return datetime.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def issue_citations(apps, schema_editor):
    # The key and the reading of a stored legal basis are the service's own, so the rows this
    # makes are the rows the service matches; both are pure functions of their text.
    from documents.services.review import legal_basis_entries, legal_document_key
    from qms.text import nfc

    ProcedureIssue = apps.get_model("documents", "ProcedureIssue")
    LegalDocument = apps.get_model("documents", "LegalDocument")
    LegalCitation = apps.get_model("documents", "LegalCitation")
    for issue in ProcedureIssue.objects.select_related("revision").order_by("pk").iterator():
        content = issue.revision.content or {}
        for entry in legal_basis_entries(content.get("legal_basis")):
            number = nfc(entry["number"])
            key = legal_document_key(number)
            if not key:
                continue
            document, _created = LegalDocument.objects.get_or_create(
                number_key=key,
                defaults={
                    "number": number[:100],
                    "title": nfc(entry.get("title"))[:500],
                    "issuer": nfc(entry.get("issuer"))[:200],
                    "issued_on": _date(entry.get("issued_on")),
                    "effective_on": _date(entry.get("effective_on")),
                },
            )
            LegalCitation.objects.get_or_create(issue=issue, legal_document=document)


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0005_shared_review_acknowledgements"),
    ]

    operations = [migrations.RunPython(issue_citations, migrations.RunPython.noop, elidable=True)]
