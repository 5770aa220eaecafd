"""Matrix rules of the reports (issue [9] item 7; indicators/wagtail_hooks/reports.py).

Who (indicators/rules.py, ``QMS_REPORT`` VIEW): officers and leaders of an agency and above read
its annual QMS report; staff and auditors do not. The form page offers each reader the agencies
of their scope; the download without ``agency`` gives the reader's own agency's report (so the
sibling's keepers get theirs), and an agency outside the reader's scope answers 404
(tests/indicators/test_reports_annual.py checks a ward's officer against another ward). A PDF's
text is not read by the matrix: the scoping test reads it back.
"""

from tests.authz import Rule, on_node

KEEPERS = on_node("officer", "leader", sibling=True)

OBJECT_KWARGS = []

RULES = [
    Rule(
        "indicators_reports",
        KEEPERS,
        note="the form: officers and leaders, each offered the agencies of their scope",
    ),
    Rule(
        "indicators_annual_report",
        KEEPERS,
        note="the PDF of the reader's own agency (no agency named): officers and leaders",
    ),
]
