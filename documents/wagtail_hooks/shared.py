"""Admin wiring of shared procedures: an officer of a body below adopts a shared procedure as the
start of its own (documents.services.adoption), from the page's menu or the document list."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.ui.menus.pages import PageMenuItem

from documents.models import AgencyPage, ProcedurePage
from documents.selectors import issue_in_force
from documents.services.adoption import procedure_adopt
from qms import permissions
from qms.collation import vi_sorted
from qms.models import Agency


def adoptable_agencies(user, source: ProcedurePage) -> list[Agency]:
    """The bodies below ``source``'s agency where ``user`` may draft procedures."""
    if not source.shared or not source.live:
        return []
    agencies = Agency.objects.filter(path__startswith=source.agency.path).exclude(
        pk=source.agency_id
    )
    if not user.is_superuser:
        agencies = agencies.filter(
            pk__in={m.agency_id for m in permissions.active_memberships(user)}
        )
    pages = AgencyPage.objects.filter(agency__in=agencies).select_related("agency")
    return vi_sorted(
        [p.agency for p in pages if p.permissions_for_user(user).can_add_subpage()],
        key=lambda agency: agency.name,
    )


class AdoptForm(forms.Form):
    agency = forms.ModelChoiceField(
        label=gettext_lazy("Cơ quan xây dựng quy trình riêng"), queryset=Agency.objects.none()
    )
    code = forms.CharField(
        label=gettext_lazy("Mã tài liệu của quy trình riêng"),
        max_length=40,
        help_text=gettext_lazy("Ví dụ: QT-05/XHB"),
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(pk__in=[a.pk for a in agencies])
        self.fields["agency"].choices = [(a.pk, a.name) for a in agencies]
        if len(agencies) == 1:
            self.fields["agency"].initial = agencies[0].pk


def procedure_adopt_view(request, page_id):
    source = get_object_or_404(ProcedurePage, pk=page_id)
    agencies = adoptable_agencies(request.user, source)
    if not agencies:
        raise Http404
    issue = issue_in_force(source)
    form = AdoptForm(request.POST or None, agencies=agencies, initial={"code": source.code})
    if request.method == "POST" and form.is_valid():
        try:
            page = procedure_adopt(
                actor=request.user,
                source=source,
                agency=form.cleaned_data["agency"],
                code=form.cleaned_data["code"],
            )
        except PermissionDenied as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                _(
                    "Đã tạo dự thảo quy trình riêng “%(title)s” từ quy trình dùng chung; kiểm "
                    "tra, điều chỉnh rồi trình duyệt."
                )
                % {"title": page.title},
            )
            return redirect("wagtailadmin_pages:edit", page.pk)
    return TemplateResponse(
        request,
        "documents/admin/procedure_adopt.html",
        {
            "source": source,
            "issue": issue,
            "form": form,
            "header_title": _("Xây dựng quy trình riêng từ quy trình dùng chung"),
            "header_subtitle": f"{source.code} – {source.title}",
        },
    )


@hooks.register("register_admin_urls")
def register_adopt_urls():
    return [
        path(
            "procedures/<int:page_id>/adopt/",
            procedure_adopt_view,
            name="documents_procedure_adopt",
        )
    ]


class AdoptButton(PageMenuItem):
    label = gettext_lazy("Xây dựng quy trình riêng")
    icon_name = "copy"
    url_name = "documents_procedure_adopt"

    def is_shown(self, user):
        if not issubclass(self.page.specific_class or object, ProcedurePage):
            return False
        return bool(adoptable_agencies(user, self.page.specific))


@hooks.register("register_page_listing_more_buttons")
def page_listing_adopt_button(page, user, next_url=None):
    yield AdoptButton(page=page, priority=57)


@hooks.register("register_page_header_buttons")
def page_header_adopt_button(page, user, view_name, next_url=None):
    yield AdoptButton(page=page, priority=68)


def adopt_url(page: ProcedurePage) -> str:
    return reverse("documents_procedure_adopt", args=[page.pk])
