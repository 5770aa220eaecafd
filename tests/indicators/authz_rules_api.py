"""Matrix rules of the dossier API (indicators/api/, mounted at /api/v1/) and of Wagtail's token
admin (gathered by tests/indicators/authz_rules.py).

API routes are requested with each actor's bearer token (``bearer=True``; anonymous sends none,
and 401 counts as denied). The dossiers are those of ``authz_rules_dossiers`` (codes marked
``dossier``). Who (indicators/rules.py):

- events (POST): officers of any agency (their own agencies' events; an empty body answers 422
  to them), 403 to members without the right, 401 without a token;
- dossiers: readers (officers, leaders, staff) of the node and above list their own agencies'
  dossiers; a sibling lists its own; one dossier (the node's) is read by the node's readers and
  those above, 404 to others;
- metrics of the node (``?agency=STP``): its readers and those above; 403 to a sibling's;
- the OpenAPI schema and its docs: public (they hold no data);
- the token admin (Wagtail's ``wagtailusers_api_tokens``): administrators only; the node's token
  name carries a marker, listed to the administrator.
"""

from tests.authz import ADMIN, EVERYONE, Rule, on_node

READERS = on_node("officer", "leader", "staff", sibling=True)
NODE_READERS = on_node("officer", "leader", "staff")
OFFICERS = on_node("officer", sibling=True)


def populate(world):
    from wagtail.models import APIToken

    token, _plaintext = APIToken.create_token(
        user=world.users["node", "officer"], name=f"Một cửa {world.mark(world.node, 'apitoken')}"
    )
    world.objects["apitoken", world.node.pk] = token


def _node_dossier(world):
    dossier = world.objects["dossier", world.node.pk]
    return {"agency_code": world.node.code, "code": dossier.code}


OBJECT_KWARGS = [
    ("qms_api:dossier_detail", "agency_code", lambda w: w.node.code),
    ("qms_api:dossier_detail", "code", lambda w: w.objects["dossier", w.node.pk].code),
    ("wagtailusers_api_tokens:*", "pk", lambda w: w.objects["apitoken", w.node.pk].pk),
]

RULES = [
    Rule("qms_api:openapi-json", EVERYONE, note="the schema: public, no data"),
    Rule("qms_api:openapi-view", EVERYONE, note="the docs page: public, no data"),
    Rule("qms_api:api-root", frozenset(), no_object="Ninja's root: nothing is served there"),
    Rule(
        "qms_api:event_*",
        OFFICERS,
        method="POST",
        bearer=True,
        ok=frozenset({422}),
        note="officers (service accounts) send events; the matrix's empty body answers 422",
    ),
    Rule("qms_api:dossier_list", READERS, bearer=True, shows="dossier"),
    Rule(
        "qms_api:dossier_detail",
        NODE_READERS,
        bearer=True,
        kwargs=_node_dossier,
        note="the node's dossier: its readers and those above; 404 to others",
    ),
    Rule(
        "qms_api:metrics",
        NODE_READERS,
        bearer=True,
        query={"agency": "STP", "start": "2025-03-01", "end": "2025-03-31"},
        note="the node's metrics: its readers and those above; 403 to a sibling's readers",
    ),
    Rule("wagtailusers_api_tokens:index", ADMIN, shows="apitoken"),
    Rule("wagtailusers_api_tokens:index_results", ADMIN, shows="apitoken"),
    Rule("wagtailusers_api_tokens:add", ADMIN),
    Rule(
        "wagtailusers_api_tokens:*",
        ADMIN,
        note="a token's page, revoke, history, usage: administrators only",
    ),
]
