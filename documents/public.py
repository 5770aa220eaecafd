"""Reads of the public site: an agency's procedures in force, a procedure as the public reads it
(its issue in force, step tables and forms as issued), its issues, the breadcrumbs, and the
accent-insensitive search.

What is public: a live, unrestricted procedure page with an issue in force, and its issues other
than withdrawn ones. A draft (a page never published, or the pending draft of a live page) and
its files never reach these reads: the page row holds the live content, step tables and forms come
from the issue (the frozen copies), and the search column is written only with the live content.
Admin previews (``request.is_preview``) show the draft being edited, to those who may edit it.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from documents import selectors
from documents.diagram import diagram_svg, diagram_title
from documents.models import AgencyPage, IssueStatus, ProcedureIssue, ProcedurePage
from qms import providers
from qms.collation import vi_order, vi_sorted
from qms.models import Agency, AgencySuccession, TimeLimit
from qms.selectors import agency_current_successors
from qms.text import fold

# A longer query is cut (a search box, not a document); more words than this are ignored.
SEARCH_MAX_CHARS = 200
SEARCH_MAX_WORDS = 12


@dataclass
class PublicForm:
    title: str
    url: str
    size: int | None = None


@dataclass
class PublicStep:
    code: str
    content: str
    responsible: str
    days: Decimal | None  # None: "not counted" (e.g. handing over the result)
    output: str = ""
    form: PublicForm | None = None


@dataclass
class PublicService:
    """One TTHC (or variant) of a procedure as the public reads it."""

    tthc: object
    variant: str
    limit: TimeLimit | None  # the statutory limit in force today
    total_days: Decimal
    steps: list[PublicStep]
    details: dict = field(default_factory=dict)  # conditions, components, copies, where, fees

    @property
    def diagram(self) -> str:
        """The step table as a swimlane diagram (inline SVG; "" without steps)."""
        return diagram_svg(self.steps, title=diagram_title(self.tthc, self.variant))


@dataclass
class PublicProcedure:
    page: ProcedurePage
    url: str
    issue: ProcedureIssue | None
    services: list[PublicService]
    forms: list[PublicForm]


# --- What is public ----------------------------------------------------------------------------


def public_procedures():
    """Live, unrestricted procedure pages with an issue in force today."""
    in_force = ProcedureIssue.objects.filter(
        selectors.in_force_on_q(timezone.localdate()), procedure=OuterRef("pk")
    )
    return ProcedurePage.objects.live().public().filter(Exists(in_force)).select_related("agency")


def public_issues(procedure: ProcedurePage) -> list[ProcedureIssue]:
    """The procedure's issues the public may read, newest first: every one but the withdrawn."""
    return [i for i in selectors.issue_history(procedure) if i.status != IssueStatus.WITHDRAWN]


def issue_in_force(procedure: ProcedurePage) -> ProcedureIssue | None:
    return selectors.issue_in_force(procedure)


def public_issue(procedure: ProcedurePage, number: int) -> ProcedureIssue:
    """Issue ``number`` of a public procedure, or 404 (withdrawn issues are off the site)."""
    issue = (
        ProcedureIssue.objects.filter(procedure=procedure, number=number)
        .exclude(status=IssueStatus.WITHDRAWN)
        .select_related("decision")
        .first()
    )
    if issue is None:
        raise Http404
    return issue


def _is_preview(request) -> bool:
    return bool(getattr(request, "is_preview", False))


def require_public(procedure: ProcedurePage, request) -> ProcedureIssue | None:
    """The issue in force of a procedure served on the public site; 404 when it has none (never
    issued, or withdrawn). An admin preview has none to require."""
    issue = issue_in_force(procedure)
    if issue is None and not _is_preview(request):
        raise Http404
    return issue


# --- A procedure as the public reads it --------------------------------------------------------


def subpage_url(page: ProcedurePage, request, name: str, *args) -> str:
    return page.get_url(request) + page.reverse_subpage(name, args=list(args))


def _days(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def _details(value) -> dict:
    return {
        key: value.get(key) or "" for key in ("conditions", "components", "copies", "where", "fees")
    }


def _matching_block(blocks: list, tthc_id: int, variant: str, position: int):
    """The page's TTHC block an issued service came from: same TTHC and variant, else by place."""
    for value in blocks:
        tthc = value.get("tthc")
        if tthc is not None and tthc.pk == tthc_id and (value.get("variant") or "") == variant:
            return value
    return blocks[position] if position < len(blocks) else {}


def _issued_services(page, issue, forms_by_id, today) -> list[PublicService]:
    blocks = [block.value for block in page.services]
    services = []
    for position, service in enumerate(issue.services.select_related("tthc").order_by("position")):
        steps = [
            PublicStep(
                code=step.get("code") or "",
                content=step.get("content") or "",
                responsible=step.get("responsible") or "",
                days=_days(step.get("days")),
                output=step.get("output") or "",
                form=forms_by_id.get(step.get("form")),
            )
            for step in service.steps or []
        ]
        services.append(
            PublicService(
                tthc=service.tthc,
                variant=service.variant,
                limit=service.tthc.time_limit_on(today),
                total_days=service.total_days,
                steps=steps,
                details=_details(
                    _matching_block(blocks, service.tthc_id, service.variant, position)
                ),
            )
        )
    return services


def _document_form(document) -> PublicForm | None:
    if document is None:
        return None
    return PublicForm(title=document.title, url=document.url, size=document.get_file_size())


def _draft_services(page, today) -> list[PublicService]:
    """The step tables of the page being previewed (a draft, shown in the admin only)."""
    services = []
    for block in page.services:
        value = block.value
        tthc = value.get("tthc")
        steps = [
            PublicStep(
                code=step.get("code") or "",
                content=step.get("content") or "",
                responsible=step.get("responsible") or "",
                days=_days(step.get("days")),
                output=step.get("output") or "",
                form=_document_form(step.get("form")),
            )
            for step in value.get("steps") or []
        ]
        services.append(
            PublicService(
                tthc=tthc,
                variant=value.get("variant") or "",
                limit=tthc.time_limit_on(today) if tthc is not None else None,
                total_days=sum((s.days for s in steps if s.days is not None), Decimal("0")),
                steps=steps,
                details=_details(value),
            )
        )
    return services


def public_procedure(page: ProcedurePage, request, issue: ProcedureIssue | None) -> PublicProcedure:
    """The procedure with its step tables and forms: as issued (the frozen copies) when ``issue``
    is given, else the draft being previewed."""
    today = timezone.localdate()
    if issue is None:
        return PublicProcedure(
            page=page,
            url=page.get_url(request) or "",
            issue=None,
            services=_draft_services(page, today),
            forms=[f for f in (_document_form(b.value) for b in page.forms) if f],
        )
    forms_by_id = {
        form.pk: PublicForm(
            title=form.title, url=subpage_url(page, request, "form", form.pk), size=form.size
        )
        for form in issue.forms.order_by("pk")
    }
    return PublicProcedure(
        page=page,
        url=page.get_url(request),
        issue=issue,
        services=_issued_services(page, issue, forms_by_id, today),
        forms=list(forms_by_id.values()),
    )


# --- Breadcrumbs and header --------------------------------------------------------------------


def breadcrumbs(page, request, *extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    """(label, URL) from the home page down to ``page`` and the ``extra`` crumbs after it; the
    last one is where the reader is (its URL is not linked)."""
    crumbs = []
    for ancestor in page.get_ancestors().filter(depth__gt=1).specific():
        label = _("Trang chủ") if ancestor.depth == 2 else ancestor.title
        crumbs.append((label, ancestor.get_url(request) if ancestor.live else None))
    crumbs.append((page.title, page.get_url(request)))
    crumbs.extend(extra)
    return crumbs


def _agency_page_url(agency: Agency, request) -> str | None:
    page = AgencyPage.objects.filter(agency=agency).first()
    return page.get_url(request) if page is not None and page.live else None


def procedure_page_context(page: ProcedurePage, request) -> dict:
    issue = require_public(page, request)
    context = {
        "procedure": public_procedure(page, request, issue),
        "issue": issue,
        "header_agency": page.agency,
        "breadcrumbs": breadcrumbs(page, request),
    }
    if issue is not None:
        context.update(
            revisions=public_issues(page),
            history_url=subpage_url(page, request, "history"),
            pdf_url=subpage_url(page, request, "pdf", issue.number),
        )
    return context


# --- An agency's page --------------------------------------------------------------------------


def agency_page_context(page: AgencyPage, request) -> dict:
    """The agency (ended or not, with its successors and predecessors), its units with a live
    page, and its procedures in force with their step tables and forms."""
    agency = page.agency
    today = timezone.localdate()
    ended = not agency.is_valid_on(today)
    successors = (
        [(a, _agency_page_url(a, request)) for a in agency_current_successors(agency, on=today)]
        if ended
        else []
    )
    predecessors = [
        (s.predecessor, _agency_page_url(s.predecessor, request), s)
        for s in AgencySuccession.objects.filter(successor=agency, effective_date__lte=today)
        .select_related("predecessor")
        .order_by("effective_date")
    ]
    units = vi_sorted(
        [
            (child.agency, child.get_url(request))
            for child in AgencyPage.objects.child_of(page).live().select_related("agency")
            if child.agency.is_valid_on(today)
        ],
        key=lambda pair: pair[0].name,
    )
    procedures = []
    for procedure in public_procedures().child_of(page).order_by("code"):
        procedures.append(public_procedure(procedure, request, issue_in_force(procedure)))
    shared = [
        (issue, issue.procedure.get_url(request))
        for issue in selectors.shared_issues_in_force(agency, today)
        if issue.procedure.live and not issue.adopted_locally
    ]
    return {
        "agency": agency,
        "header_agency": agency,
        "shared": shared,
        "ended": ended,
        "successors": successors,
        "predecessors": predecessors,
        "units": units,
        "procedures": procedures,
        "breadcrumbs": breadcrumbs(page, request),
        # The agency's published on-time figures, from whichever app answers (indicators).
        "statistics": providers.ask_first(providers.PUBLISHED_STATISTICS, agency),
    }


# --- Search ------------------------------------------------------------------------------------


def search_words(query: str | None) -> list[str]:
    return fold((query or "")[:SEARCH_MAX_CHARS]).split()[:SEARCH_MAX_WORDS]


def procedure_search(query: str | None):
    """Public procedures matching every word of ``query`` without regard to accents or case
    (``thu tuc dat dai`` finds “thủ tục đất đai”, ``Dong Da`` the procedures of “Phường Đống
    Đa”), in the procedure (code, title, purpose, TTHC) or its agency's name; the whole phrase
    first, then by agency in Vietnamese order and code. The same query on SQLite and
    PostgreSQL: both sides are folded text, compared by ``icontains``."""
    words = search_words(query)
    if not words:
        return ProcedurePage.objects.none()
    found = public_procedures()
    for word in words:
        found = found.filter(
            Q(search_folded__icontains=word) | Q(agency__name_folded__icontains=word)
        )
    phrase = " ".join(words)
    return found.annotate(
        phrase_rank=Case(
            When(
                Q(search_folded__icontains=phrase) | Q(agency__name_folded__icontains=phrase),
                then=Value(0),
            ),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("phrase_rank", vi_order("agency__name"), "code", "pk")


def search_results(procedures, request) -> list[dict]:
    """One row per found procedure: its page, URL, agency, issue in force and its TTHC."""
    return [
        {
            "page": page,
            "url": page.get_url(request),
            "agency": page.agency,
            "issue": issue,
            "services": list(issue.services.select_related("tthc")) if issue else [],
        }
        for page, issue in ((page, issue_in_force(page)) for page in procedures)
    ]
