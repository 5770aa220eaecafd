"""Matrix rules of the leadership dashboard's scorecard and its TTHC drill-down (gathered by
tests/indicators/authz_rules.py).

No object of its own: each agency of the world has a dossier (authz_rules_dossiers) and an
on-time quality objective whose name carries its marker (authz_rules_objectives); the scorecard
names each row's objective (beside its target, and in the export's objective column), the
drill-down the node's objective in its facts (page and exports). Who (indicators/rules.py): the
readers of the metrics ("dossiermetrics": officers, leaders and staff), for the agencies of
their scope (the form offers no other); not auditors.
"""

from tests.authz import Rule, on_node

READERS = on_node("officer", "leader", "staff", sibling=True)

RULES = [
    Rule(
        "indicators_dashboard",
        READERS,
        shows="qualityobjective",
        exports=True,
        note="the scorecard of the reader's own agency by default; the form offers their scope",
    ),
    Rule(
        "indicators_dashboard_procedures",
        READERS,
        shows="qualityobjective",
        exports=True,
        note="the TTHC of the reader's own agency by default, with its objective in the facts",
    ),
]
