"""Imports of the one-stop system's export: the uploaded file, its dry run (counts and every
rejected row), the officer's confirmation and the Celery task's progress and checkpoint; and the
saved column mappings of sources whose exports name the columns otherwise."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qms.models import Agency


class ImportSource(models.Model):
    """A one-stop system's export shape: which header of its files holds which field."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("tên nguồn dữ liệu"), max_length=200)
    # {field key: header as the source writes it}, e.g. {"code": "Số biên nhận"}.
    mapping = models.JSONField(_("ánh xạ cột"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tạo"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("nguồn dữ liệu hồ sơ")
        verbose_name_plural = _("nguồn dữ liệu hồ sơ")
        ordering = ["agency__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="import_source_unique"),
        ]

    def __str__(self):
        return self.name


class ImportState(models.TextChoices):
    UPLOADED = "uploaded", _("Đã tải lên")
    CHECKING = "checking", _("Đang kiểm tra")
    CHECKED = "checked", _("Đã kiểm tra, chờ xác nhận")
    REJECTED = "rejected", _("Tệp bị từ chối")
    APPLYING = "applying", _("Đang ghi dữ liệu")
    APPLIED = "applied", _("Đã ghi dữ liệu")
    CANCELLED = "cancelled", _("Đã hủy")
    FAILED = "failed", _("Lỗi khi xử lý")


class ImportMode(models.TextChoices):
    ALL_OR_NOTHING = "all", _("Tất cả hoặc không ghi gì")
    GOOD_ROWS = "good", _("Chỉ ghi các dòng hợp lệ")


class DossierImport(models.Model):
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan"),
        on_delete=models.PROTECT,
        related_name="dossier_imports",
        help_text=_(
            "Tệp thuộc cơ quan này; nếu tệp có cột mã cơ quan, mọi mã phải là cơ quan bạn được "
            "nhập dữ liệu."
        ),
    )
    source = models.ForeignKey(
        ImportSource,
        verbose_name=_("nguồn dữ liệu"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="imports",
    )
    file = models.FileField(_("tệp"), upload_to="dossier-imports/%Y/%m/")
    file_name = models.CharField(_("tên tệp"), max_length=255, editable=False)
    file_sha256 = models.CharField(max_length=64, editable=False, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tải lên"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    uploaded_at = models.DateTimeField(_("tải lên lúc"), auto_now_add=True)
    state = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=ImportState.choices,
        default=ImportState.UPLOADED,
        editable=False,
    )
    mode = models.CharField(
        _("cách ghi"), max_length=10, choices=ImportMode.choices, blank=True, editable=False
    )
    # The whole file's rejection (unreadable, unknown columns, mm/dd dates …).
    file_error = models.TextField(_("lý do từ chối tệp"), blank=True, editable=False)
    # Headers recognised as personal data and dropped (names only; their values are never read).
    dropped_columns = models.JSONField(default=list, editable=False)
    # Progress of the current phase (check or apply): rows done of the total, errors so far.
    total_rows = models.PositiveIntegerField(_("tổng số dòng"), default=0, editable=False)
    rows_done = models.PositiveIntegerField(_("số dòng đã xử lý"), default=0, editable=False)
    new_count = models.PositiveIntegerField(_("mới"), default=0, editable=False)
    updated_count = models.PositiveIntegerField(_("cập nhật"), default=0, editable=False)
    unchanged_count = models.PositiveIntegerField(_("không đổi"), default=0, editable=False)
    rejected_count = models.PositiveIntegerField(_("bị từ chối"), default=0, editable=False)
    # Counts written by the apply phase (equal to the dry run's unless data moved in between).
    written_new = models.PositiveIntegerField(_("đã thêm"), default=0, editable=False)
    written_updated = models.PositiveIntegerField(_("đã cập nhật"), default=0, editable=False)
    # The last source line whose chunk was committed: a redelivered task resumes after it.
    checkpoint_line = models.PositiveIntegerField(default=0, editable=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xác nhận"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    confirmed_at = models.DateTimeField(_("xác nhận lúc"), null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("hoàn tất lúc"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("lần nhập hồ sơ")
        verbose_name_plural = _("nhập dữ liệu hồ sơ")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self):
        return f"{self.file_name} · {timezone.localtime(self.uploaded_at):%d/%m/%Y %H:%M}"

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.state in FINISHED_STATES else 0
        return min(100, self.rows_done * 100 // self.total_rows)


FINISHED_STATES = (
    ImportState.CHECKED,
    ImportState.REJECTED,
    ImportState.APPLIED,
    ImportState.CANCELLED,
    ImportState.FAILED,
)


class ImportRowError(models.Model):
    """One rejected row of an import's dry run: its line, the field and the reason."""

    dossier_import = models.ForeignKey(
        DossierImport, on_delete=models.CASCADE, related_name="row_errors"
    )
    line = models.PositiveIntegerField(_("dòng"))
    field = models.CharField(_("cột"), max_length=100, blank=True)
    value = models.CharField(_("giá trị"), max_length=200, blank=True)
    message = models.TextField(_("lý do"))

    agency_path_lookup = "dossier_import__agency__path"

    class Meta:
        verbose_name = _("dòng bị từ chối")
        verbose_name_plural = _("dòng bị từ chối")
        ordering = ["dossier_import", "line", "pk"]
        indexes = [models.Index(fields=["dossier_import", "line"], name="import_error_line")]

    def __str__(self):
        return self.message
