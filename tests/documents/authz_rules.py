"""Matrix rules and marked objects of documents (found by tests/authz.py)."""

from tests.authz import ADMIN, EVERYONE, MEMBERS, ROLES, Rule, on_node

MEMBERS_AND_ADMIN = MEMBERS | ADMIN


def procedure(place, *, title, code, tthc, steps=(("Bước 1", "1"),), **extra):
    """An unsaved procedure page for ``place`` carrying out ``tthc`` with ``steps``."""
    from decimal import Decimal

    from documents.models import ProcedurePage

    return ProcedurePage(
        title=title,
        code=code,
        slug=code.lower().replace("/", "-"),
        purpose="Quy định trình tự giải quyết thủ tục.",
        scope="Áp dụng tại cơ quan.",
        change_summary="Ban hành lần đầu",
        services=[
            (
                "tthc",
                {
                    "tthc": tthc,
                    "variant": "",
                    "steps": [
                        {
                            "code": c,
                            "content": "Tiếp nhận",
                            "responsible": "Bộ phận một cửa",
                            "days": None if d is None else Decimal(str(d)),
                        }
                        for c, d in steps
                    ],
                },
            )
        ],
        **extra,
    )


def populate(world):
    """Each agency's page holds a draft procedure whose title and code are private markers."""
    from decimal import Decimal

    tthc = world.objects["tthc"]  # the core's (tests/qms/authz_rules.py)
    for place in world.agencies():
        page = place.page
        draft = page.add_child(
            instance=procedure(
                place,
                title=f"Quy trình {world.mark(place, 'proc')}",
                code=f"QT-{world.mark(place, 'code')}",
                tthc=tthc,
                steps=[("Bước 1", Decimal("1"))],
                live=False,
            )
        )
        draft.save_revision()
        world.objects["procedure", place.pk] = draft
    populate_public(world)
    populate_issues(world)
    populate_shared(world)
    populate_review(world)


def _with_step(page, step: dict, *, form_of_first=None) -> list:
    """The page's TTHC blocks (raw) with ``step`` appended to the first one's step table and,
    when given, ``form_of_first`` (a document) attached to its first step."""
    import uuid

    services = [dict(block) for block in page.services.raw_data]
    steps = services[0]["value"]["steps"]
    if form_of_first is not None:
        steps[0]["value"]["form"] = form_of_first.pk
    base = {
        "content": "",
        "responsible": "Bộ phận một cửa",
        "days": None,
        "output": "",
        "form": None,
    }
    steps.append({"type": "item", "value": {**base, **step}, "id": str(uuid.uuid4())})
    return services


def populate_public(world):
    """The node's procedure on the public site: two issues (the second adds a step and a form),
    and on top a pending draft whose title, new step and form (the node's marked document) are
    private markers: public pages must show the issues, never the draft."""
    from decimal import Decimal

    from documents.models import ProcedurePage
    from tests import factories

    form = factories.document(world.node, title="Mẫu đơn công khai", filename="mau-don.pdf")
    page = world.node.page.add_child(
        instance=procedure(
            world.node,
            title="Quy trình công khai thử",
            code="QT-99/PUB",
            tthc=world.objects["tthc"],
            steps=[("Bước 1", Decimal("1"))],
            live=False,
        )
    )
    first = factories.procedure_publish(page)
    second = factories.procedure_publish(
        page,
        services=_with_step(page, {"code": "Bước 2", "content": "Trả kết quả"}, form_of_first=form),
        change_summary="Thêm bước trả kết quả",
    )
    draft = ProcedurePage.objects.get(pk=page.pk)
    draft.title = f"Quy trình {world.mark(world.node, 'pending')}"
    draft.services = _with_step(
        draft,
        {"code": "Bước 3", "content": world.mark(world.node, "pendingstep")},
        form_of_first=world.objects["document", world.node.pk],
    )
    draft.save_revision()
    world.objects["public_procedure"] = page
    world.objects["public_issues"] = (first.procedure_issue, second.procedure_issue)
    world.objects["public_form"] = second.procedure_issue.forms.get()


def populate_shared(world):
    """A procedure the province (the node's parent) issued for every body below it, live."""
    from decimal import Decimal

    from tests import factories

    page = world.parent.page.add_child(
        instance=procedure(
            world.parent,
            title="Quy trình dùng chung thử",
            code="QT-98/DC",
            tthc=world.objects["tthc"],
            steps=[("Bước 1", Decimal("1"))],
            shared=True,
            live=False,
        )
    )
    factories.procedure_publish(page)
    world.objects["shared_procedure"] = page


RULES = [
    Rule(
        "documents_procedure_adopt",
        frozenset({"admin", "node_officer", "sibling_officer", "node_leader", "sibling_leader"}),
        kwargs=lambda w: {"page_id": w.objects["shared_procedure"].pk},
        note="the province's shared procedure: those who draft at the bodies below adopt it",
    ),
    Rule(
        "documents_list",
        on_node("officer", "leader", "staff", sibling=True),
        shows="proc",
        note="every member's own agency (and units) list, drafts included",
    ),
    Rule(
        "documents_list_pdf",
        on_node("officer", "leader", "staff", sibling=True),
        note="the same list printed (a PDF: its text is not read by the leak test)",
    ),
    Rule(
        "documents_list_results",
        on_node("officer", "leader", "staff", sibling=True),
        shows="proc",
        query={"q": "mk"},
        exports=True,
    ),
]

# --- The public site ---------------------------------------------------------------------------
# The public search is a URL of its own; the pages and their routes (history, comparison, PDF,
# forms) are all served by Wagtail's catch-all ``wagtail_serve``, one URL per rule there, so
# tests/documents/test_public_site.py runs PAGE_ROUTE_RULES through the matrix (every actor, the
# marker leak test) beside it. Public pages carry no private value: nothing for `shows` to find.
RULES += [
    Rule(
        "procedure_search",
        EVERYONE,
        query={"q": "quy trinh"},
        note="public: finds the node's procedure in force, never a draft ('Quy trình mk…')",
    ),
]


def _serve_path(*parts):
    def kwargs(world):
        page = world.objects["public_procedure"]
        return [page.get_url().lstrip("/") + "".join(part(world) for part in parts)]

    return kwargs


def _agency_path(world):
    return [world.node.page.get_url().lstrip("/")]


def _form_route(world):
    return f"bieu-mau/{world.objects['public_form'].pk}/"


PAGE_ROUTE_RULES = [
    Rule("wagtail_serve", EVERYONE, kwargs=_agency_path, note="the node's agency page"),
    Rule("wagtail_serve", EVERYONE, kwargs=_serve_path(), note="the procedure in force"),
    Rule("wagtail_serve", EVERYONE, kwargs=_serve_path(lambda w: "lich-su/"), note="history"),
    Rule("wagtail_serve", EVERYONE, kwargs=_serve_path(lambda w: "lich-su/1-2/"), note="compare"),
    Rule("wagtail_serve", EVERYONE, kwargs=_serve_path(lambda w: "ban-in/2/"), note="PDF"),
    Rule("wagtail_serve", EVERYONE, kwargs=_serve_path(_form_route), note="a form as issued"),
    Rule(
        "wagtail_serve",
        frozenset(),
        kwargs=lambda w: [w.objects["procedure", w.node.pk].url_path.split("/", 2)[2]],
        note="a draft procedure: served to nobody (the admin previews it)",
    ),
]

# --- Compare and print in the admin -------------------------------------------------------------
# The node's published procedure (populate_public: issues 1 and 2): every member of the node and of
# the bodies above it reads its issues; a sibling's members get 404.
RULES += [
    Rule(
        "documents_issue_compare",
        on_node(*ROLES),
        kwargs=lambda w: {"page_id": w.objects["public_procedure"].pk},
        note="issues 1 → 2 of the node's procedure",
    ),
    Rule(
        "documents_issue_pdf",
        on_node(*ROLES),
        kwargs=lambda w: {"pk": w.objects["public_issues"][-1].pk},
        note="issue 2 of the node's procedure as PDF",
    ),
]

# --- Issues and decisions in the admin ----------------------------------------------------------


def populate_issues(world):
    """Each agency has a withdrawn procedure (off the public site, so its issue's title is a
    private marker) and a decision whose number is one. Members of a unit also read the
    decisions of the bodies above it (documents/rules.py): granted to them."""
    import datetime
    from decimal import Decimal

    from documents.models import ApprovalDecision
    from documents.services.issues import issue_withdraw
    from tests import factories

    for place in world.agencies():
        page = place.page.add_child(
            instance=procedure(
                place,
                title=f"Quy trình {world.mark(place, 'issue')}",
                code=f"QT-RUT/{place.code}",
                tthc=world.objects["tthc"],
                steps=[("Bước 1", Decimal("1"))],
                live=False,
            )
        )
        issue = factories.procedure_publish(page).procedure_issue
        issue_withdraw(actor=None, issue=issue, reason="Thủ tục đã bị bãi bỏ")
        world.objects["withdrawn_issue", place.pk] = issue
        world.objects["decision", place.pk] = ApprovalDecision.objects.create(
            agency=place,
            number=f"{world.mark(place, 'decision')}/QĐ",
            signed_on=datetime.date(2026, 1, 5),
            signer="Giám đốc",
        )
    above = world.markers_of(world.parent)
    for label, _user in world.actors():
        if label.startswith(("node_", "sibling_")):
            granted = {m for m in above if m.endswith("xdecision")}
            world.granted[label] = set(world.granted.get(label, ())) | granted


def _node_issue(world):
    return {"pk": world.objects["withdrawn_issue", world.node.pk].pk}


def _issue_in_force(transition):
    def kwargs(world):
        return {"pk": world.objects["public_issues"][-1].pk, "transition": transition}

    return kwargs


def _node_decision(world):
    return {"pk": world.objects["decision", world.node.pk].pk}


RULES += [
    Rule("procedure_issues:index", MEMBERS_AND_ADMIN, shows="issue"),
    Rule(
        "procedure_issues:index_results",
        MEMBERS_AND_ADMIN,
        shows="issue",
        query={"q": "QT-RUT"},
        exports=True,
    ),
    Rule(
        "procedure_issues:transition",
        on_node("leader"),
        kwargs=_issue_in_force("withdraw"),
        note="withdraw the node's issue in force: its leaders and those above (the decision "
        "transition, for officers too, is in tests/documents/test_issues.py)",
    ),
    Rule(
        "procedure_issues:*",
        on_node(*ROLES),
        kwargs=_node_issue,
        note="inspect, history, usage: read-only, every member of the node and above",
    ),
    Rule("approval_decisions:index", MEMBERS_AND_ADMIN, shows="decision"),
    Rule(
        "approval_decisions:index_results",
        MEMBERS_AND_ADMIN,
        shows="decision",
        query={"q": "QĐ"},
        exports=True,
    ),
    Rule("approval_decisions:add", on_node("officer", "leader", sibling=True)),
    Rule("approval_decisions:edit", on_node("officer", "leader"), kwargs=_node_decision),
    Rule("approval_decisions:delete", ADMIN, kwargs=_node_decision, note="issues protect it"),
    Rule("approval_decisions:*", on_node(*ROLES), kwargs=_node_decision),
]

# --- Acknowledgements (đã đọc, nắm được quy trình) ------------------------------------------------
# The node's issue in force (populate_public): whoever holds a role on the node (or a unit in it)
# records having read it (the button posts, then goes back; anyone else is refused with a message
# and nothing is written: tests/documents/test_acknowledgements.py); the officers and leaders of
# the node and above read who has and who has not (people's names: not for staff).


def _issue_in_force_pk(world):
    return {"pk": world.objects["public_issues"][-1].pk}


RULES += [
    Rule(
        "documents_issue_acknowledge",
        frozenset(f"node_{role}" for role in ROLES),
        kwargs=_issue_in_force_pk,
        method="POST",
        ok=frozenset({302}),
        note="POST only; others are refused by the service (302 with the reason, no row)",
    ),
    Rule(
        "documents_issue_acknowledgements",
        on_node("officer", "leader"),
        kwargs=_issue_in_force_pk,
        shows="person",
        note="the node's and its unit's people expected to read the issue, with their status",
    ),
]

# --- Import from Word (.docx) -------------------------------------------------------------------
# The form under the node's agency page: whoever may add a procedure there (its officers and
# leaders and those above; Wagtail sends anyone else to the dashboard). The result page of an
# import, for whoever may edit the draft (here the node's draft, not imported: it says so).
RULES += [
    Rule(
        "documents_docx_import",
        on_node("officer", "leader"),
        kwargs=lambda w: {"agency_page_id": w.node.page.pk},
        note="the import form under the node's page (the upload: tests/documents/"
        "test_docx_import.py)",
    ),
    Rule(
        "documents_docx_import_result",
        on_node("officer", "leader"),
        kwargs=lambda w: {"page_id": w.objects["procedure", w.node.pk].pk},
        note="what an import of the node's draft read; 404 to anyone who may not edit it",
    ),
]

# --- Review of procedures and the legal register ------------------------------------------------
# Each agency has a procedure in force (the node's public one; one more for the others) whose open
# periodic review carries a private marker in its text (the report shows it under the reason).
# The register of legal documents is read by every member (documents/rules_review.py): the node's
# marked document is granted to them all; its officers and leaders (and those above) change it.
# The gaps list has no private value to mark (agencies and TTHC are reference data): its scope is
# tested in tests/documents/test_review.py.


def populate_review(world):
    from decimal import Decimal

    from documents.models import ProcedureReview
    from documents.services.review import legal_document_record
    from tests import factories

    in_force = {world.node.pk: world.objects["public_procedure"]}
    for place in (world.parent, world.sibling, world.unit):
        page = place.page.add_child(
            instance=procedure(
                place,
                title="Quy trình rà soát thử",
                code=f"QT-RS/{place.code}",
                tthc=world.objects["tthc"],
                steps=[("Bước 1", Decimal("1"))],
                live=False,
            )
        )
        factories.procedure_publish(page)
        in_force[place.pk] = page
    for place in world.agencies():
        review = ProcedureReview.objects.get(procedure=in_force[place.pk], outcome="")
        review.detail = f"Rà soát định kỳ {world.mark(place, 'review')}"
        review.save(update_fields=["detail"])
        world.objects["review", place.pk] = review
    world.objects["legal_document"] = legal_document_record(
        actor=None,
        number=f"{world.mark(world.node, 'legal')}/2026/NĐ-CP",
        title="Văn bản pháp lý thử",
        issuer="Chính phủ",
        agency=world.node,
    )
    for label, _user in world.actors():
        if label not in ("anonymous", "admin"):
            world.granted[label] = set(world.granted.get(label, ())) | {f"mk{world.node.pk}xlegal"}


def _node_review(world):
    return {"pk": world.objects["review", world.node.pk].pk}


def _node_legal_document(world):
    return {"pk": world.objects["legal_document"].pk}


RULES += [
    Rule("procedure_reviews:index", MEMBERS_AND_ADMIN, shows="review"),
    Rule(
        "procedure_reviews:index_results",
        MEMBERS_AND_ADMIN,
        shows="review",
        query={"q": "QT"},
        exports=True,
    ),
    Rule(
        "procedure_reviews:transition",
        on_node("officer", "leader"),
        kwargs=lambda w: {**_node_review(w), "transition": "no_change"},
        note="close the node's review: its officers and leaders and those above (needs revision "
        "and the refusals: tests/documents/test_review.py)",
    ),
    Rule(
        "procedure_reviews:*",
        on_node(*ROLES),
        kwargs=_node_review,
        note="inspect, history, usage: read-only, every member of the node and above",
    ),
    Rule("documents_review_gaps", MEMBERS_AND_ADMIN),
    Rule("documents_review_gaps_results", MEMBERS_AND_ADMIN, exports=True),
    Rule("legal_documents:index", MEMBERS_AND_ADMIN, shows="legal"),
    Rule(
        "legal_documents:index_results",
        MEMBERS_AND_ADMIN,
        shows="legal",
        query={"q": "2026"},
        exports=True,
    ),
    Rule("legal_documents:add", on_node("officer", "leader", sibling=True)),
    Rule("legal_documents:edit", on_node("officer", "leader"), kwargs=_node_legal_document),
    Rule(
        "legal_documents:delete",
        ADMIN,
        kwargs=_node_legal_document,
        note="citations and reviews protect a document",
    ),
    Rule(
        "legal_documents:*",
        MEMBERS_AND_ADMIN,
        kwargs=_node_legal_document,
        note="inspect, history, usage: the register is read by every member",
    ),
]
