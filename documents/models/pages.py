"""The page tree of document control: one page per agency (mirroring the agency tree) and, under
it, the agency's procedures (quy trình nội bộ), each edited as a Wagtail page with revisions."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, PublishingPanel
from wagtail.admin.widgets.datetime import AdminDateTimeInput
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from documents.blocks import DefinitionBlock, LegalDocumentBlock, RecordBlock, ServiceBlock
from qms.models import Agency
from qms.models.catalogue import days_number, validate_quarter_days
from qms.text import fold


class AgencyPage(Page):
    """An agency's page: created and moved with the agency (documents.services), it holds the
    agency's procedures; page rights on it come from memberships (qms.services.rights)."""

    agency = models.OneToOneField(
        Agency, verbose_name=_("cơ quan, đơn vị"), on_delete=models.PROTECT, related_name="page"
    )
    intro = models.TextField(_("giới thiệu"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    promote_panels = []
    parent_page_types = ["qms.HomePage", "documents.AgencyPage"]
    subpage_types = ["documents.AgencyPage", "documents.ProcedurePage"]

    class Meta:
        verbose_name = _("trang cơ quan, đơn vị")
        verbose_name_plural = _("trang cơ quan, đơn vị")

    def get_owning_agency(self):
        return self.agency

    def permissions_for_user(self, user):
        from documents.policy import AgencyPagePermissionTester

        return AgencyPagePermissionTester(user, self)

    def get_context(self, request, *args, **kwargs):
        from documents import public  # the public site's reads (they import the models)

        context = super().get_context(request, *args, **kwargs)
        context.update(public.agency_page_context(self, request))
        return context


def step_table_problems(services, on_date) -> dict[int, str]:
    """Why each TTHC block's step table does not fit, by block index: a step time that is not a
    multiple of 0.25 day, or a total over the TTHC's limit in force on ``on_date``, naming the
    excess and the steps."""
    problems = {}
    for index_, block in enumerate(services):
        value = block.value
        tthc = value.get("tthc")
        if tthc is None:
            continue
        steps = list(value.get("steps") or [])
        counted = [
            (s.get("code") or "?", s.get("days")) for s in steps if s.get("days") is not None
        ]
        for code, days in counted:
            try:
                validate_quarter_days(days)
            except ValidationError:
                problems[index_] = _(
                    "%(step)s: %(days)s ngày không phải bội số của 0,25 ngày làm việc."
                ) % {"step": code, "days": days_number(days)}
                break
        if index_ in problems:
            continue
        limit = tthc.time_limit_on(on_date)
        if limit is None:
            problems[index_] = _(
                "Thủ tục %(code)s chưa có thời hạn giải quyết áp dụng ngày %(date)s trong danh "
                "mục TTHC."
            ) % {"code": tthc.code, "date": on_date.strftime("%d/%m/%Y")}
            continue
        total = sum((d for _code, d in counted), Decimal("0"))
        if total > limit.working_days:
            problems[index_] = _(
                "Tổng thời gian các bước của thủ tục %(code)s%(variant)s là %(total)s ngày làm "
                "việc, vượt %(excess)s ngày so với thời hạn %(limit)s ngày áp dụng từ %(since)s "
                "(%(steps)s)."
            ) % {
                "code": tthc.code,
                "variant": f" – {value['variant']}" if value.get("variant") else "",
                "total": days_number(total),
                "excess": days_number(total - limit.working_days),
                "limit": days_number(limit.working_days),
                "since": limit.effective_from.strftime("%d/%m/%Y"),
                "steps": "; ".join(f"{code}: {days_number(days)}" for code, days in counted),
            }
    return problems


class ProcedurePage(RoutablePageMixin, Page):
    """An agency's internal procedure for one or more TTHC, in the shape Vietnamese ISO
    procedures are written. Each approved publication becomes a numbered issue
    (``ProcedureIssue``); a procedure in force is never edited in place: a change is a new draft."""

    code = models.CharField(_("mã tài liệu"), max_length=40, help_text=_("Ví dụ: QT-05/STP"))
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan, đơn vị"),
        on_delete=models.PROTECT,
        related_name="procedures",
        editable=False,
    )
    responsible_unit = models.ForeignKey(
        Agency,
        verbose_name=_("đơn vị chủ trì"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_(
            "Đơn vị chủ trì giải quyết (lãnh đạo đơn vị này xem xét dự thảo); để trống nếu là "
            "chính cơ quan."
        ),
    )
    approving_agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan phê duyệt"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("Để trống nếu lãnh đạo chính cơ quan phê duyệt; hoặc chọn cơ quan cấp trên."),
    )
    shared = models.BooleanField(
        _("áp dụng chung cho các cơ quan trực thuộc"),
        default=False,
        help_text=_(
            "Quy trình của cơ quan cấp trên ban hành chung cho các sở, xã, phường trực thuộc: mỗi "
            "cơ quan áp dụng quy trình này cho đến khi ban hành quy trình riêng của mình."
        ),
    )
    adopted_from = models.ForeignKey(
        "self",
        verbose_name=_("xây dựng từ quy trình dùng chung"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="adoptions",
        editable=False,
    )
    review_interval_months = models.PositiveSmallIntegerField(
        _("chu kỳ rà soát (tháng)"),
        default=12,
        help_text=_("Rà soát định kỳ kể từ ngày có hiệu lực hoặc lần rà soát gần nhất."),
    )
    purpose = models.TextField(_("mục đích"))
    scope = models.TextField(_("phạm vi áp dụng"))
    legal_basis = StreamField(
        [("document", LegalDocumentBlock())], verbose_name=_("căn cứ pháp lý"), blank=True
    )
    definitions = StreamField(
        [("definition", DefinitionBlock())],
        verbose_name=_("định nghĩa, chữ viết tắt"),
        blank=True,
    )
    services = StreamField([("tthc", ServiceBlock())], verbose_name=_("nội dung quy trình"))
    forms = StreamField(
        [("form", DocumentChooserBlock(label=_("Biểu mẫu")))],
        verbose_name=_("biểu mẫu"),
        blank=True,
    )
    records = StreamField([("record", RecordBlock())], verbose_name=_("hồ sơ lưu"), blank=True)
    change_summary = models.TextField(
        _("tóm tắt nội dung sửa đổi"),
        help_text=_("Bắt buộc với mỗi lần ban hành; lần đầu ghi “Ban hành lần đầu”."),
    )
    # Code, title, purpose and TTHC (code, name, field, variant) folded (qms.text.fold) for the
    # public accent-insensitive search; written with the page row, so it holds the live content
    # once published (a draft revision does not touch it).
    search_folded = models.TextField(editable=False, blank=True, default="")

    content_panels = [
        MultiFieldPanel(
            [
                FieldPanel("code"),
                FieldPanel("title"),
                FieldPanel("responsible_unit"),
                FieldPanel("approving_agency"),
                FieldPanel("shared"),
                FieldPanel("review_interval_months"),
            ],
            heading=_("Thông tin chung"),
        ),
        FieldPanel("purpose"),
        FieldPanel("scope"),
        FieldPanel("legal_basis"),
        FieldPanel("definitions"),
        FieldPanel("services"),
        FieldPanel("forms"),
        FieldPanel("records"),
        FieldPanel("change_summary"),
    ]
    promote_panels = [FieldPanel("slug")]
    # The effective date only: a procedure takes effect on approval (or on this date), and leaves
    # the public site by withdrawal, never by an expiry date.
    settings_panels = [
        PublishingPanel(
            children=[
                FieldPanel(
                    "go_live_at",
                    heading=_("Ngày có hiệu lực"),
                    help_text=_(
                        "Để trống: có hiệu lực ngay khi được phê duyệt. Chọn một ngày: được "
                        "phê duyệt trước, có hiệu lực từ ngày đó."
                    ),
                    widget=AdminDateTimeInput(
                        js_overlay_parent_selector="#schedule-publishing-dialog",
                        attrs={
                            "data-controller": "w-action",
                            "data-action": "w-dialog:hidden->w-action#reset",
                            "data-w-dialog-target": "notify",
                        },
                    ),
                )
            ]
        ),
        *Page.settings_panels[1:],
    ]
    parent_page_types = ["documents.AgencyPage"]
    subpage_types = []

    search_fields = [
        *Page.search_fields,
        index.SearchField("code"),
        index.SearchField("purpose"),
        index.FilterField("agency"),
    ]

    class Meta:
        verbose_name = _("quy trình nội bộ")
        verbose_name_plural = _("quy trình nội bộ")

    def get_owning_agency(self):
        return self.agency

    def permissions_for_user(self, user):
        from documents.policy import ProcedurePermissionTester

        return ProcedurePermissionTester(user, self)

    def get_workflow(self):
        """The procedure approval workflow, whatever is assigned to pages above (see
        documents.workflow)."""
        from documents.workflow import procedure_workflow

        return procedure_workflow()

    @property
    def has_workflow(self):
        return self.get_workflow() is not None

    def effective_date(self):
        """The date the draft would take effect: its go-live date, or today."""
        when = self.go_live_at or timezone.now()
        return timezone.localtime(when).date()

    def _set_agency_from_parent(self):
        if self.agency_id is None and self.path:
            parent = self.get_parent()
            if parent is not None and hasattr(parent.specific, "agency_id"):
                self.agency_id = parent.specific.agency_id

    def clean(self):
        super().clean()
        self._set_agency_from_parent()
        self.code = (self.code or "").strip()
        errors = {}
        if self.agency_id:
            clash = (
                ProcedurePage.objects.filter(agency_id=self.agency_id, code__iexact=self.code)
                .exclude(pk=self.pk)
                .first()
            )
            if clash:
                errors["code"] = _("Mã tài liệu %(code)s đã dùng cho quy trình “%(title)s”.") % {
                    "code": self.code,
                    "title": clash.title,
                }
            agency = Agency.objects.get(pk=self.agency_id)
            for field in ("responsible_unit", "approving_agency"):
                other = getattr(self, field)
                if other is None:
                    continue
                inside = other.is_within(agency)
                above = agency.is_within(other)
                if field == "responsible_unit" and not inside:
                    errors[field] = _(
                        "Đơn vị chủ trì phải là “%(agency)s” hoặc đơn vị thuộc nó."
                    ) % {"agency": agency.name}
                if field == "approving_agency" and not above:
                    errors[field] = _(
                        "Cơ quan phê duyệt phải là “%(agency)s” hoặc một cơ quan cấp trên của nó."
                    ) % {"agency": agency.name}
        problems = step_table_problems(self.services, self.effective_date())
        if problems:
            errors["services"] = list(problems.values())
        if errors:
            raise ValidationError(errors)

    SEARCHED_FIELDS = ("code", "title", "purpose", "services")

    def search_text(self) -> str:
        parts = [self.code, self.title, self.purpose]
        for block in self.services:
            tthc = block.value.get("tthc")
            if tthc is not None:
                parts += [tthc.code, tthc.name, tthc.field]
            parts.append(block.value.get("variant") or "")
        return fold(" ".join(p for p in parts if p))

    def save(self, *args, **kwargs):
        self._set_agency_from_parent()
        update_fields = kwargs.get("update_fields")
        if update_fields is None:
            self.search_folded = self.search_text()
        elif set(update_fields) & set(self.SEARCHED_FIELDS):
            self.search_folded = self.search_text()
            kwargs["update_fields"] = [*update_fields, "search_folded"]
        return super().save(*args, **kwargs)

    # --- The public site: the page itself, its issues, their comparison, PDF and forms
    # (documents.public reads, documents.public_views answers, templates/documents/). Wagtail
    # serves only paths of words and slashes, hence no ".pdf" in the URLs: the file name comes
    # with the response.

    def get_context(self, request, *args, **kwargs):
        from documents import public

        context = super().get_context(request, *args, **kwargs)
        context.update(public.procedure_page_context(self, request))
        return context

    @path("lich-su/", name="history")
    def history_route(self, request):
        from documents import public_views

        return public_views.procedure_history(request, self)

    @path("lich-su/<int:old>-<int:new>/", name="compare")
    def compare_route(self, request, old, new):
        from documents import public_views

        return public_views.procedure_compare(request, self, old, new)

    @path("ban-in/<int:number>/", name="pdf")
    def pdf_route(self, request, number):
        from documents import public_views

        return public_views.issue_pdf_download(request, self, number)

    @path("bieu-mau/<int:form_id>/", name="form")
    def form_route(self, request, form_id):
        from documents import public_views

        return public_views.issue_form_download(request, self, form_id)
