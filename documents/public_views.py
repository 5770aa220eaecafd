"""Views of the public site: a procedure's history of issues, two issues compared, an issue's PDF,
a frozen form, and the search. Thin: documents.public reads, templates/documents/ shows."""

import mimetypes
import os

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from documents import public
from documents.models import IssueForm

SEARCH_PAGE_SIZE = 20


def _crumb_history(page, request):
    return (_("Lịch sử ban hành"), public.subpage_url(page, request, "history"))


def procedure_history(request, page):
    """Every public issue, newest first, with what changed in the newest (its diff against the
    one before); ``?a=1&b=3`` (the compare form) leads to those two issues compared."""
    from documents.compare import compare_issues

    public.require_public(page, request)
    if "a" in request.GET and "b" in request.GET:
        try:
            old, new = sorted({int(request.GET["a"]), int(request.GET["b"])})
        except ValueError:
            raise Http404 from None
        return redirect(public.subpage_url(page, request, "compare", old, new))
    issues = public.public_issues(page)
    rows = [
        {
            "issue": issue,
            "pdf_url": public.subpage_url(page, request, "pdf", issue.number),
            "compare_url": public.subpage_url(page, request, "compare", older.number, issue.number)
            if older
            else None,
        }
        for issue, older in zip(issues, [*issues[1:], None], strict=True)
    ]
    diff = compare_issues(issues[1], issues[0]) if len(issues) > 1 else None
    return page.render(
        request,
        template="documents/procedure_history.html",
        context_overrides={
            "rows": rows,
            "issues": issues,
            "diff": diff,
            "latest": issues[0] if issues else None,
            "previous": issues[1] if len(issues) > 1 else None,
            "breadcrumbs": public.breadcrumbs(page, request, (_("Lịch sử ban hành"), None)),
        },
    )


def procedure_compare(request, page, old: int, new: int):
    """Issues ``old`` and ``new`` side by side: what was added, removed and changed."""
    from documents.compare import compare_issues

    public.require_public(page, request)
    if old == new:
        raise Http404
    if old > new:
        return redirect(public.subpage_url(page, request, "compare", new, old))
    older, newer = public.public_issue(page, old), public.public_issue(page, new)
    label = _("So sánh lần %(old)d và lần %(new)d") % {"old": old, "new": new}
    return page.render(
        request,
        template="documents/procedure_compare.html",
        context_overrides={
            "older": older,
            "newer": newer,
            "diff": compare_issues(older, newer),
            "issues": public.public_issues(page),
            "breadcrumbs": public.breadcrumbs(
                page, request, _crumb_history(page, request), (label, None)
            ),
        },
    )


def issue_pdf_download(request, page, number: int):
    """Issue ``number`` printed (the compare/PDF helper's one PDF of an issue)."""
    from documents.pdf import issue_pdf, issue_pdf_filename

    public.require_public(page, request)
    issue = public.public_issue(page, number)
    response = HttpResponse(issue_pdf(issue), content_type="application/pdf")
    # A document code holds slashes (QT-05/STP), which no file name may.
    filename = issue_pdf_filename(issue).replace("/", "-")
    response["Content-Disposition"] = content_disposition_header(False, filename)
    return response


def issue_form_download(request, page, form_id: int):
    """A form as issued (the copy the issue froze), to whoever may download it."""
    from documents.selectors import form_for_download

    public.require_public(page, request)
    form = (
        IssueForm.objects.filter(pk=form_id, issue__procedure=page)
        .select_related("issue__procedure")
        .first()
    )
    if form is None or not form_for_download(request.user, form):
        raise Http404
    try:
        handle = form.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    name = os.path.basename(form.file.name)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=name,
        content_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
    )


@require_safe
def procedure_search(request):
    """Procedures in force, found without regard to accents (documents.public.procedure_search)."""
    query = (request.GET.get("q") or "").strip()[: public.SEARCH_MAX_CHARS]
    found = public.procedure_search(query)
    paginator = Paginator(found, SEARCH_PAGE_SIZE)
    results = paginator.get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "documents/search.html",
        {
            "query": query,
            "searched": bool(public.search_words(query)),
            "results": results,
            "rows": public.search_results(results.object_list, request),
            "count": paginator.count,
            "breadcrumbs": [(_("Trang chủ"), "/"), (_("Tra cứu quy trình"), None)],
        },
    )
