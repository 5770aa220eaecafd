"""The national service index (Chỉ số phục vụ người dân, doanh nghiệp, Decision 766/QĐ-TTg of
23 Jun 2022) as data: a scheme (its legal source and the date from which it applies), its groups
with their maximum points, and its indicators with their formula, weight and legal source.

A newer scheme replaces an older one from its ``valid_from``: a period is scored by the newest
scheme in force on the period's last day. An indicator's ``formula`` names a computation of
``indicators.selectors_index`` (from qms's own data), or ``entered``: qms cannot know it, and a
person enters the value for an agency and month (``IndexEntry``, with who and when)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qms.models import Agency

ENTERED = "entered"


class IndexScheme(models.Model):
    code = models.CharField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên bộ chỉ số"), max_length=255)
    legal_source = models.CharField(_("căn cứ pháp lý"), max_length=255)
    valid_from = models.DateField(_("áp dụng từ ngày"), unique=True)
    note = models.TextField(_("ghi chú"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("bộ chỉ số phục vụ")
        verbose_name_plural = _("bộ chỉ số phục vụ")
        ordering = ["-valid_from"]

    def __str__(self):
        return self.name


class IndexGroup(models.Model):
    scheme = models.ForeignKey(
        IndexScheme, verbose_name=_("bộ chỉ số"), on_delete=models.CASCADE, related_name="groups"
    )
    number = models.PositiveSmallIntegerField(_("nhóm"))
    name = models.CharField(_("tên nhóm"), max_length=255)
    max_points = models.DecimalField(_("điểm tối đa"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("nhóm chỉ số")
        verbose_name_plural = _("nhóm chỉ số")
        ordering = ["scheme", "number"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "number"], name="index_group_unique")
        ]

    def __str__(self):
        return f"{self.number}. {self.name}"


class IndexIndicator(models.Model):
    group = models.ForeignKey(
        IndexGroup, verbose_name=_("nhóm"), on_delete=models.CASCADE, related_name="indicators"
    )
    code = models.CharField(_("mã chỉ số"), max_length=20)  # "2.1"
    name = models.CharField(_("tên chỉ số"), max_length=500)
    points = models.DecimalField(_("điểm tối đa"), max_digits=6, decimal_places=2)
    # A computation of indicators.selectors_index.FORMULAS, or "entered".
    formula = models.CharField(_("cách tính"), max_length=60)
    formula_text = models.TextField(_("công thức"), blank=True)
    legal_source = models.CharField(_("căn cứ"), max_length=255, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("chỉ số thành phần")
        verbose_name_plural = _("chỉ số thành phần")
        ordering = ["group", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["group", "code"], name="index_indicator_unique")
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def is_entered(self) -> bool:
        return self.formula == ENTERED


class IndexEntry(models.Model):
    """The value of an "entered" indicator for an agency and month, as a percentage (0 to
    100) of its points (e.g. 90: 90 % of the points), with who entered it."""

    indicator = models.ForeignKey(
        IndexIndicator,
        verbose_name=_("chỉ số thành phần"),
        on_delete=models.PROTECT,
        related_name="entries",
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan, đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("tháng"))  # the first day of the month
    value = models.DecimalField(_("mức đạt (%)"), max_digits=5, decimal_places=2)
    source = models.CharField(_("nguồn số liệu"), max_length=255, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nhập"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    entered_at = models.DateTimeField(_("nhập lúc"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("số liệu chỉ số nhập tay")
        verbose_name_plural = _("số liệu chỉ số nhập tay")
        ordering = ["-month", "agency__path", "indicator"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "agency", "month"], name="index_entry_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(value__gte=0) & models.Q(value__lte=100),
                name="index_entry_value_percent",
            ),
        ]

    def __str__(self):
        return f"{self.indicator.code} · {self.month:%m/%Y}"

    def get_owning_agency(self):
        return self.agency
