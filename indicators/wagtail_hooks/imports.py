"""Admin wiring of the one-stop imports ("Nhập dữ liệu hồ sơ", in the "Hồ sơ và chỉ số" group):

- the list (file, agency, who, when, state, counts), filtered by agency subtree and state;
- the upload form (the agencies the officer may import into, an optional saved source, the file)
  with what the file may be and the notice that personal-data columns are dropped, never stored
  (Decree 13/2023/NĐ-CP); it calls ``import_upload``, which schedules the dry run;
- the import's page: the progress bar polling ``progress/<pk>/`` (indicators/views_imports.py)
  until the task finishes, the counts, the file's rejection reason, the dropped columns, the
  rejected rows page by page, the error report as CSV and XLSX, and once checked the two ways of
  writing ("Ghi tất cả hoặc không ghi gì", "Chỉ ghi các dòng hợp lệ") and "Hủy", each a
  transition calling ``import_confirm`` / ``import_cancel``.

An import is the record of what happened: no edit, no delete."""

import django_filters
from django import forms
from django.core.paginator import Paginator
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.log_actions import log

from indicators import views_imports
from indicators.importing import PERSONAL_DATA_NOTE, columns_help
from indicators.models import DossierImport, ImportMode, ImportRowError, ImportSource, ImportState
from indicators.models.imports import FINISHED_STATES
from indicators.rules import DOSSIER, IMPORT, SOURCE
from indicators.selectors_dossiers import format_moment
from indicators.selectors_imports import import_progress
from indicators.services.imports import (
    import_cancel,
    import_confirm,
    import_retry,
    import_upload,
)
from indicators.wagtail_hooks.menu import MENU_HOOK
from qms import permissions, tabular
from qms.display import EMPTY
from qms.filters import AgencySubtreeFilter
from qms.formats.numbers import format_number
from qms.people import person_name
from qms.viewsets import (
    AgencyScopedViewSet,
    ScopedCreateView,
    ScopedIndexView,
    ScopedInspectView,
    Transition,
)

permissions.register_policy(DossierImport, IMPORT)

ROWS_PER_PAGE = 50


def import_title(imp) -> str:
    """An import as people name it: its file and when it was uploaded (local time)."""
    return f"{imp.file_name} · {format_moment(imp.uploaded_at)}"


def _count(name):
    return lambda imp: format_number(getattr(imp, name))


def _state_label(imp) -> str:
    return ImportState(imp.state).label


def _uploaded_by(imp) -> str:
    return person_name(imp.uploaded_by) if imp.uploaded_by_id else EMPTY


def _columns_help() -> list[dict]:
    """The accepted columns for the upload page: the Vietnamese headers of each field (the
    English aliases are accepted too, not listed to people)."""
    return [
        {
            "header": column["header"],
            "others": [a for a in column["aliases"] if not a.isascii()],
            "required": column["required"],
        }
        for column in columns_help()
    ]


def _sources_offered(user):
    scope = permissions.scope_q(user, SOURCE, [permissions.VIEW], "agency__path")
    return ImportSource.objects.filter(scope).select_related("agency").order_by("name")


class AgencySelectMixin:
    """The agencies offered (the policy's, by ``AgencyFieldMixin``) in tree order, a unit named
    with its parent."""

    def get_form(self, *args, **kwargs):
        form = super().get_form(*args, **kwargs)
        field = form.fields.get("agency")
        if field is not None and hasattr(field, "queryset"):
            field.queryset = field.queryset.select_related("parent").order_by("path")
            field.label_from_instance = lambda agency: agency.display_name
        return form


# --- Upload ------------------------------------------------------------------------------------


class ImportCreateView(AgencySelectMixin, ScopedCreateView):
    """The upload: ``import_upload`` stores the file and schedules the dry run; the import's page
    follows its progress."""

    template_name = "indicators/imports/upload.html"
    inspect_url_name = None
    error_message = gettext_lazy("Chưa tải lên được: hãy sửa các lỗi dưới đây.")
    submit_button_label = gettext_lazy("Tải lên và kiểm tra")
    submit_button_active_label = gettext_lazy("Đang tải lên…")

    def get_page_title(self):
        return _("Nhập dữ liệu hồ sơ")

    def get_page_subtitle(self):
        return _("Tải lên tệp hồ sơ")

    def save_instance(self):
        data = self.form.cleaned_data
        imp = import_upload(
            actor=self.request.user,
            agency=data.get("agency"),
            file=data.get("file"),
            source=data.get("source"),
        )
        log(instance=imp, action="wagtail.create", user=self.request.user)
        return imp

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            columns=_columns_help(),
            personal_data_note=PERSONAL_DATA_NOTE,
            max_size=filesizeformat(tabular.max_bytes()),
        )
        return context

    def get_success_message(self, instance):
        return _("Đã tải lên “%(file)s”: hệ thống đang kiểm tra tệp (chưa ghi gì).") % {
            "file": instance.file_name
        }

    def get_success_url(self):
        return reverse(self.inspect_url_name, args=[self.object.pk])

    def get_success_buttons(self):
        return []


# --- List --------------------------------------------------------------------------------------


class ImportIndexView(ScopedIndexView):
    add_item_label = gettext_lazy("Tải lên tệp hồ sơ")

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("agency__parent", "uploaded_by")

    def _get_title_column(self, field_name, column_class=TitleColumn, **kwargs):
        column_class = self._get_title_column_class(TitleColumn)
        return column_class(
            "title",
            label=_("Tệp"),
            accessor=lambda i: i.file_name,
            get_url=lambda i: self.get_inspect_url(i),
        )

    def to_row_dict(self, item):
        item.agency_label = item.agency.display_name
        item.uploaded_by_label = _uploaded_by(item)
        item.uploaded_at_label = format_moment(item.uploaded_at)
        item.state_label = _state_label(item)
        return super().to_row_dict(item)


class ImportFilterSet(WagtailFilterSet):
    agency = AgencySubtreeFilter(resource=IMPORT)
    state = django_filters.ChoiceFilter(
        label=gettext_lazy("Trạng thái"),
        choices=ImportState.choices,
        empty_label=gettext_lazy("Tất cả"),
    )

    class Meta:
        model = DossierImport
        fields = []


# --- The import's page -------------------------------------------------------------------------


class ImportInspectView(ScopedInspectView):
    template_name = "indicators/imports/inspect.html"
    add_url_name = None
    progress_url_name = None
    report_url_name = None
    LABELS = {"uploaded": gettext_lazy("Người tải lên, lúc"), "confirmed": gettext_lazy("Xác nhận")}

    def get_field_label(self, field_name, field):
        return self.LABELS.get(field_name) or super().get_field_label(field_name, field)

    def get_page_subtitle(self):
        return import_title(self.object)

    def get_agency_display_value(self):
        return self.object.agency.display_name

    def get_source_display_value(self):
        source = self.object.source
        return source.name if source is not None else _("Không (tên cột chuẩn)")

    def get_uploaded_display_value(self):
        return f"{_uploaded_by(self.object)}, {format_moment(self.object.uploaded_at)}"

    def get_state_display_value(self):
        return _state_label(self.object)

    def get_confirmed_display_value(self):
        imp = self.object
        if not imp.confirmed_at:
            return _("Chưa xác nhận")
        who = person_name(imp.confirmed_by) if imp.confirmed_by_id else EMPTY
        mode = ImportMode(imp.mode).label if imp.mode else EMPTY
        return f"{mode} · {who}, {format_moment(imp.confirmed_at)}"

    def get_finished_at_display_value(self):
        return format_moment(self.object.finished_at)

    def _counts(self):
        """The dry run's counts (what the file would do), and once written what was written."""
        imp = self.object
        checked = [
            (_("Hồ sơ mới"), imp.new_count),
            (_("Hồ sơ cập nhật"), imp.updated_count),
            (_("Hồ sơ không đổi"), imp.unchanged_count),
            (_("Dòng bị từ chối"), imp.rejected_count),
        ]
        written = []
        if imp.state in (ImportState.APPLYING, ImportState.APPLIED):
            written = [
                (_("Hồ sơ đã thêm"), imp.written_new),
                (_("Hồ sơ đã cập nhật"), imp.written_updated),
            ]

        def shown(rows):
            return [(label, format_number(value)) for label, value in rows]

        return shown(checked), shown(written)

    def _next_links(self):
        """Where to go from here: the dossiers the import wrote, another upload, the list."""
        imp, user = self.object, self.request.user
        links = []
        if imp.state == ImportState.APPLIED and permissions.has_permission(
            user, DOSSIER, permissions.VIEW, imp.agency
        ):
            url = f"{reverse('dossiers:index')}?{urlencode({'agency': imp.agency_id})}"
            links.append((url, _("Xem hồ sơ của %(agency)s") % {"agency": imp.agency.name}))
        if imp.state in FINISHED_STATES and permissions.has_permission(
            user, IMPORT, permissions.ADD
        ):
            links.append((reverse(self.add_url_name), _("Tải lên tệp khác")))
        links.append((reverse(self.index_url_name), _("Về danh sách các lần nhập")))
        return links

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        imp = self.object
        errors = ImportRowError.objects.filter(dossier_import=imp).order_by("line", "pk")
        page = Paginator(errors, ROWS_PER_PAGE).get_page(self.request.GET.get("p"))
        progress = import_progress(imp)
        checked = imp.state not in (ImportState.UPLOADED, ImportState.CHECKING)
        context.update(
            imp=imp,
            progress=progress,
            finished=progress.get("finished", imp.state in FINISHED_STATES),
            rows_done_text=format_number(progress.get("rows_done", imp.rows_done)),
            total_rows_text=format_number(progress.get("total_rows", imp.total_rows)),
            rejected_text=format_number(progress.get("rejected_count", imp.rejected_count)),
            progress_url=reverse(self.progress_url_name, args=[imp.pk]),
            counts=checked and not imp.file_error,
            checked_counts=self._counts()[0],
            written_counts=self._counts()[1],
            next_links=self._next_links(),
            errors_page=page,
            errors_total=page.paginator.count,
            report_csv_url=reverse(self.report_url_name, args=[imp.pk, "csv"]),
            report_xlsx_url=reverse(self.report_url_name, args=[imp.pk, "xlsx"]),
            actions=self.transition_buttons(imp),
            rejected_rows=imp.rejected_count,
        )
        return context


def _confirm(mode):
    def service(*, actor, instance):
        return import_confirm(actor=actor, dossier_import=instance, mode=mode)

    return service


def _cancel(*, actor, instance):
    return import_cancel(actor=actor, dossier_import=instance)


def _retry(*, actor, instance):
    return import_retry(actor=actor, dossier_import=instance)


class DossierImportViewSet(AgencyScopedViewSet):
    model = DossierImport
    resource = IMPORT
    icon = "upload"
    menu_label = gettext_lazy("Nhập dữ liệu hồ sơ")
    menu_hook = MENU_HOOK
    menu_order = 30
    # The record of an import: written by the services and the task only.
    read_only = True
    READ_ONLY_VIEWS = AgencyScopedViewSet.READ_ONLY_VIEWS | {"add"}
    add_view_class = ImportCreateView
    index_view_class = ImportIndexView
    inspect_view_class = ImportInspectView
    filterset_class = ImportFilterSet
    field_scopes = {"source": _sources_offered}
    list_display = [
        "file_name",
        Column("agency", label=gettext_lazy("Cơ quan"), accessor=lambda i: i.agency.display_name),
        Column("uploaded_by", label=gettext_lazy("Người tải lên"), accessor=_uploaded_by),
        Column(
            "uploaded_at",
            label=gettext_lazy("Tải lên lúc"),
            accessor=lambda i: format_moment(i.uploaded_at),
            sort_key="uploaded_at",
        ),
        Column("state", label=gettext_lazy("Trạng thái"), accessor=_state_label),
        Column("new_count", label=gettext_lazy("Mới"), accessor=_count("new_count")),
        Column("updated_count", label=gettext_lazy("Cập nhật"), accessor=_count("updated_count")),
        Column(
            "unchanged_count", label=gettext_lazy("Không đổi"), accessor=_count("unchanged_count")
        ),
        Column(
            "rejected_count", label=gettext_lazy("Bị từ chối"), accessor=_count("rejected_count")
        ),
    ]
    ordering = ["-uploaded_at", "-pk"]
    search_fields = ["file_name"]
    search_backend_name = None
    edit_handler = ObjectList(
        [
            FieldPanel("agency", widget=forms.Select),
            FieldPanel(
                "source",
                help_text=gettext_lazy(
                    "Chỉ chọn khi tệp đặt tên cột khác tên chuẩn (xem “Nguồn dữ liệu (ánh xạ cột)”)."
                ),
            ),
            FieldPanel(
                "file",
                widget=forms.FileInput(attrs={"accept": ".csv,.xlsx"}),
                help_text=gettext_lazy("Tệp CSV hoặc XLSX xuất từ hệ thống một cửa."),
            ),
        ]
    )
    inspect_view_fields = [
        "file_name",
        "agency",
        "source",
        "uploaded",
        "state",
        "confirmed",
        "finished_at",
    ]
    list_export = [
        "file_name",
        "agency_label",
        "uploaded_by_label",
        "uploaded_at_label",
        "state_label",
        "new_count",
        "updated_count",
        "unchanged_count",
        "rejected_count",
    ]
    export_headings = {
        "file_name": gettext_lazy("Tệp"),
        "agency_label": gettext_lazy("Cơ quan"),
        "uploaded_by_label": gettext_lazy("Người tải lên"),
        "uploaded_at_label": gettext_lazy("Tải lên lúc"),
        "state_label": gettext_lazy("Trạng thái"),
        "new_count": gettext_lazy("Mới"),
        "updated_count": gettext_lazy("Cập nhật"),
        "unchanged_count": gettext_lazy("Không đổi"),
        "rejected_count": gettext_lazy("Bị từ chối"),
    }
    export_filename = "nhap-du-lieu-ho-so"
    transitions = (
        Transition(
            name="confirm_all",
            label=gettext_lazy("Ghi tất cả hoặc không ghi gì"),
            service=_confirm(ImportMode.ALL_OR_NOTHING),
            available=lambda i: i.state == ImportState.CHECKED,
            confirmation=gettext_lazy(
                "Ghi mọi dòng của tệp; nếu có dòng bị từ chối thì không ghi dòng nào."
            ),
            icon="check",
        ),
        Transition(
            name="confirm_good",
            label=gettext_lazy("Chỉ ghi các dòng hợp lệ"),
            service=_confirm(ImportMode.GOOD_ROWS),
            available=lambda i: i.state == ImportState.CHECKED,
            confirmation=gettext_lazy(
                "Ghi các dòng hợp lệ; các dòng bị từ chối không được ghi và vẫn có trong báo cáo "
                "lỗi."
            ),
            icon="tick-inverse",
        ),
        Transition(
            name="cancel",
            label=gettext_lazy("Hủy"),
            service=_cancel,
            available=lambda i: i.state == ImportState.CHECKED,
            confirmation=gettext_lazy("Hủy lần nhập này: không ghi dữ liệu nào của tệp."),
            icon="cross",
            serious=True,
        ),
        Transition(
            name="retry",
            label=gettext_lazy("Chạy lại"),
            service=_retry,
            available=lambda i: i.state == ImportState.FAILED,
            confirmation=gettext_lazy(
                "Chạy lại bước bị lỗi: kiểm tra lại từ đầu, hoặc ghi tiếp từ dòng đã ghi cuối "
                "cùng (không dòng nào bị ghi hai lần)."
            ),
            icon="rotate",
        ),
    )

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(add_url_name=self.get_url_name("add"), **kwargs)

    def get_add_view_kwargs(self, **kwargs):
        return super().get_add_view_kwargs(inspect_url_name=self.get_url_name("inspect"), **kwargs)

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(
            add_url_name=self.get_url_name("add"),
            progress_url_name=self.get_url_name("progress"),
            report_url_name=self.get_url_name("report"),
            **kwargs,
        )

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("progress/<int:pk>/", views_imports.progress_json, name="progress"),
            path("report/<int:pk>/<slug:fmt>/", views_imports.error_report, name="report"),
        ]


@hooks.register("register_admin_viewset")
def register_import_viewset():
    return DossierImportViewSet("dossier_imports")
