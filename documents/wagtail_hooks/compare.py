"""Admin wiring of documents: compare two issues of a procedure, and print an issue as PDF.

Both views are scoped by the permission policy (``procedureissue`` view: the members of the
procedure's agency and of the bodies above it, and whoever a relation grants it); anyone else,
and any id that does not exist, gets 404.
"""

from django import forms
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.ui.menus.pages import PageMenuItem

from documents.compare import compare_issues
from documents.models import ProcedureIssue, ProcedurePage
from documents.pdf import issue_pdf, issue_pdf_filename
from qms import pdf, permissions

RESOURCE = "procedureissue"


def visible_issues(user):
    """The issues ``user`` may read (the policy's scope)."""
    return permissions.scope_queryset(
        user, ProcedureIssue.objects.all(), RESOURCE, permissions.VIEW
    ).select_related("procedure__agency", "drafted_by", "reviewed_by", "approved_by", "decision")


def _issue_label(issue: ProcedureIssue) -> str:
    return _("Lần %(number)d – hiệu lực %(date)s (%(status)s)") % {
        "number": issue.number,
        "date": issue.effective_date.strftime("%d/%m/%Y"),
        "status": issue.get_status_display(),
    }


class CompareForm(forms.Form):
    old = forms.TypedChoiceField(label=gettext_lazy("Lần ban hành trước"), coerce=int)
    new = forms.TypedChoiceField(label=gettext_lazy("Lần ban hành sau"), coerce=int)

    def __init__(self, *args, issues, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(issue.number, _issue_label(issue)) for issue in issues]
        self.fields["old"].choices = choices
        self.fields["new"].choices = choices

    def clean(self):
        data = super().clean()
        if data.get("old") is not None and data.get("old") == data.get("new"):
            raise forms.ValidationError(_("Hãy chọn hai lần ban hành khác nhau để so sánh."))
        return data


def issue_compare(request, page_id):
    """Any two issues of a procedure side by side (by default the latest and the one before)."""
    page = get_object_or_404(ProcedurePage, pk=page_id)
    issues = list(visible_issues(request.user).filter(procedure=page).order_by("-number"))
    if not issues and not permissions.has_permission(
        request.user, RESOURCE, permissions.VIEW, page
    ):
        raise Http404
    by_number = {issue.number: issue for issue in issues}
    diff, form = None, None
    if len(issues) >= 2:
        initial = {"new": issues[0].number, "old": issues[1].number}
        form = CompareForm(request.GET if "old" in request.GET else initial, issues=issues)
        if form.is_valid():
            old, new = sorted(
                (by_number[form.cleaned_data["old"]], by_number[form.cleaned_data["new"]]),
                key=lambda issue: issue.number,
            )
            diff = compare_issues(old, new)
    return TemplateResponse(
        request,
        "documents/admin/issue_compare.html",
        {
            "page": page,
            "issues": issues,
            "form": form,
            "diff": diff,
            "header_title": _("So sánh các lần ban hành"),
            "header_subtitle": f"{page.code} – {page.title}",
        },
    )


def issue_pdf_download(request, pk):
    """An issue printed as PDF (A4, the header block and signatures as procedures are printed)."""
    issue = get_object_or_404(visible_issues(request.user), pk=pk)
    return pdf.response(issue_pdf(issue), issue_pdf_filename(issue))


@hooks.register("register_admin_urls")
def register_compare_urls():
    return [
        path(
            "procedures/<int:page_id>/compare/",
            issue_compare,
            name="documents_issue_compare",
        ),
        path("procedures/issues/<int:pk>/pdf/", issue_pdf_download, name="documents_issue_pdf"),
    ]


class CompareIssuesButton(PageMenuItem):
    """ "Compare issues" on a procedure that has been issued, for those who may read its issues."""

    label = gettext_lazy("So sánh các lần ban hành")
    icon_name = "history"
    url_name = "documents_issue_compare"

    def is_shown(self, user):
        if not issubclass(self.page.specific_class or object, ProcedurePage):
            return False
        return visible_issues(user).filter(procedure_id=self.page.pk).exists()


@hooks.register("register_page_listing_more_buttons")
def page_listing_compare_button(page, user, next_url=None):
    yield CompareIssuesButton(page=page, priority=55)


@hooks.register("register_page_header_buttons")
def page_header_compare_button(page, user, view_name, next_url=None):
    yield CompareIssuesButton(page=page, priority=67)


def compare_url(issue: ProcedureIssue, other: ProcedureIssue | None = None) -> str:
    """The admin's comparison of ``issue`` with ``other`` (by default the issue before it)."""
    url = reverse("documents_issue_compare", args=[issue.procedure_id])
    if other is None:
        return url
    old, new = sorted((issue, other), key=lambda i: i.number)
    return f"{url}?old={old.number}&new={new.number}"
