"""Admin wiring of the saved column mappings ("Nguồn dữ liệu (ánh xạ cột)", in the "Hồ sơ và chỉ
số" group): a source per agency names, for each field of the import, the header its exports use
(left empty: the standard Vietnamese headers and their aliases, ``indicators.importing.FIELDS``).
Officers of the agency (and above) keep them; the history of every change is kept
(simple-history on the model, shown on the source's page; Wagtail's history lists who saved)."""

from django import forms
from django.utils.functional import lazy
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, TitleColumn

from indicators.importing import FIELDS, REQUIRED, header_key, is_personal
from indicators.models import ImportSource
from indicators.rules import SOURCE
from indicators.selectors_dossiers import format_moment
from indicators.wagtail_hooks.imports import AgencySelectMixin
from indicators.wagtail_hooks.menu import MENU_HOOK
from qms import permissions
from qms.display import EMPTY
from qms.filters import AgencySubtreeFilter
from qms.people import person_name
from qms.viewsets import (
    AgencyScopedViewSet,
    ScopedCreateView,
    ScopedEditView,
    ScopedIndexView,
    ScopedInspectView,
)

permissions.register_policy(ImportSource, SOURCE)

PREFIX = "header_"
HISTORY_SHOWN = 20


def field_label(key: str) -> str:
    """A field as people know it: its Vietnamese header in the one-stop exports."""
    return FIELDS[key][0]


def _standard_names(key: str) -> str:
    """The Vietnamese headers a field is recognised by without a mapping (the English aliases
    are accepted too, but not listed to people)."""
    return ", ".join(f"“{h}”" for h in FIELDS[key] if not h.isascii())


def _mapping_text(mapping: dict) -> list[tuple[str, str]]:
    return [(field_label(k), mapping[k]) for k in FIELDS if mapping.get(k)]


class MappingFormMixin:
    """The mapping as one text field per import field (``header_<key>``, declared below); saved
    as {field key: header}."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        mapping = self.instance.mapping or {}
        for key in FIELDS:
            name = PREFIX + key
            if name in self.fields and not self.is_bound:
                self.fields[name].initial = mapping.get(key, "")

    def clean(self):
        cleaned = super().clean()
        seen: dict[str, str] = {}
        mapping = {}
        for key in FIELDS:
            name = PREFIX + key
            header = " ".join((cleaned.get(name) or "").split())
            if not header:
                continue
            if is_personal(header):
                self.add_error(
                    name,
                    _(
                        "“%(header)s” là tên cột dữ liệu cá nhân: cột này luôn bị bỏ khi nhập "
                        "(Nghị định 13/2023/NĐ-CP), không thể dùng cho “%(field)s”."
                    )
                    % {"header": header, "field": field_label(key)},
                )
                continue
            folded = header_key(header)
            if folded in seen:
                self.add_error(
                    name,
                    _("Cột “%(header)s” đã được dùng cho “%(other)s”.")
                    % {"header": header, "other": field_label(seen[folded])},
                )
                continue
            seen[folded] = key
            mapping[key] = header
        cleaned["mapping"] = mapping
        return cleaned

    def save(self, commit=True):
        self.instance.mapping = self.cleaned_data.get("mapping", {})
        if self.instance.pk is None and self.for_user is not None:
            self.instance.created_by = self.for_user
        return super().save(commit=commit)


def _blank_help(key: str) -> str:
    return _("Để trống nếu tệp dùng tên chuẩn: %(names)s.") % {"names": _standard_names(key)}


def _required_help() -> str:
    return _(
        "Với mỗi thông tin, ghi tên cột mà tệp xuất của nguồn này dùng. Bắt buộc có trong tệp: "
        "%(required)s."
    ) % {"required": ", ".join(f"“{field_label(k)}”" for k in REQUIRED)}


blank_help = lazy(_blank_help, str)
required_help = lazy(_required_help, str)

ImportSourceForm = type(
    "ImportSourceForm",
    (MappingFormMixin, WagtailAdminModelForm),
    {
        "__module__": __name__,
        **{
            PREFIX + key: forms.CharField(
                label=field_label(key),
                required=False,
                max_length=200,
                help_text=blank_help(key),
            )
            for key in FIELDS
        },
    },
)


class ImportSourceCreateView(AgencySelectMixin, ScopedCreateView):
    pass


class ImportSourceEditView(AgencySelectMixin, ScopedEditView):
    pass


class ImportSourceIndexView(ScopedIndexView):
    add_item_label = gettext_lazy("Thêm nguồn dữ liệu")

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("agency__parent", "created_by")

    def _get_title_column(self, field_name, column_class=TitleColumn, **kwargs):
        column_class = self._get_title_column_class(TitleColumn)
        return column_class(
            "title",
            label=_("Tên nguồn dữ liệu"),
            accessor=lambda s: s.name,
            get_url=lambda s: self.get_inspect_url(s),
        )

    def to_row_dict(self, item):
        item.agency_label = item.agency.display_name
        item.mapped_label = _mapped_count(item)
        item.mapping_label = "; ".join(f"{f}: {h}" for f, h in _mapping_text(item.mapping))
        return super().to_row_dict(item)


def _mapped_count(source) -> int:
    return sum(1 for k in FIELDS if (source.mapping or {}).get(k))


class ImportSourceInspectView(ScopedInspectView):
    LABELS = {
        "mapping": gettext_lazy("Ánh xạ cột"),
        "changes": gettext_lazy("Lịch sử thay đổi"),
    }

    def get_field_label(self, field_name, field):
        return self.LABELS.get(field_name) or super().get_field_label(field_name, field)

    def get_agency_display_value(self):
        return self.object.agency.display_name

    def get_mapping_display_value(self):
        rows = _mapping_text(self.object.mapping or {})
        if not rows:
            return _("Không ánh xạ cột nào: tệp dùng tên cột chuẩn.")
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{} ← “{}”</li>", rows))

    def get_created_by_display_value(self):
        return person_name(self.object.created_by) if self.object.created_by_id else EMPTY

    def get_created_at_display_value(self):
        return format_moment(self.object.created_at)

    def get_changes_display_value(self):
        """The mapping as it was after each save (simple-history), newest first."""
        records = list(
            self.object.history.select_related("history_user").order_by("-history_date")[
                :HISTORY_SHOWN
            ]
        )
        if not records:
            return EMPTY
        kinds = {"+": _("Tạo"), "~": _("Sửa"), "-": _("Xóa")}

        def line(record):
            mapping = "; ".join(f"{f} ← “{h}”" for f, h in _mapping_text(record.mapping or {}))
            who = person_name(record.history_user) if record.history_user_id else EMPTY
            return (
                format_moment(record.history_date),
                who,
                kinds.get(record.history_type, record.history_type),
                record.name,
                mapping or _("không ánh xạ cột nào"),
            )

        return format_html(
            "<ul>{}</ul>",
            format_html_join("", "<li>{} · {} · {}: “{}” – {}</li>", (line(r) for r in records)),
        )


class ImportSourceFilterSet(WagtailFilterSet):
    agency = AgencySubtreeFilter(resource=SOURCE)

    class Meta:
        model = ImportSource
        fields = []


class ImportSourceViewSet(AgencyScopedViewSet):
    model = ImportSource
    resource = SOURCE
    icon = "table"
    menu_label = gettext_lazy("Nguồn dữ liệu (ánh xạ cột)")
    menu_hook = MENU_HOOK
    menu_order = 40
    index_view_class = ImportSourceIndexView
    add_view_class = ImportSourceCreateView
    edit_view_class = ImportSourceEditView
    inspect_view_class = ImportSourceInspectView
    filterset_class = ImportSourceFilterSet
    list_display = [
        "name",
        Column("agency", label=gettext_lazy("Cơ quan"), accessor=lambda s: s.agency.display_name),
        Column("mapped", label=gettext_lazy("Số cột ánh xạ"), accessor=_mapped_count),
        Column(
            "created_at",
            label=gettext_lazy("Tạo lúc"),
            accessor=lambda s: format_moment(s.created_at),
            sort_key="created_at",
        ),
    ]
    ordering = ["name"]
    search_fields = ["name"]
    search_backend_name = None
    edit_handler = ObjectList(
        [
            FieldPanel("agency", widget=forms.Select),
            FieldPanel(
                "name",
                help_text=gettext_lazy("Ví dụ: Hệ thống một cửa điện tử của tỉnh (bản xuất 2024)."),
            ),
            MultiFieldPanel(
                [FieldPanel(PREFIX + key) for key in FIELDS],
                heading=gettext_lazy("Tên cột trong tệp của nguồn"),
                help_text=required_help(),
            ),
        ],
        base_form_class=ImportSourceForm,
    )
    inspect_view_fields = ["agency", "name", "mapping", "created_by", "created_at", "changes"]
    list_export = ["name", "agency_label", "mapped_label", "mapping_label"]
    export_headings = {
        "name": gettext_lazy("Tên nguồn dữ liệu"),
        "agency_label": gettext_lazy("Cơ quan"),
        "mapped_label": gettext_lazy("Số cột ánh xạ"),
        "mapping_label": gettext_lazy("Ánh xạ cột"),
    }
    export_filename = "nguon-du-lieu-ho-so"


@hooks.register("register_admin_viewset")
def register_import_source_viewset():
    return ImportSourceViewSet("dossier_import_sources")
