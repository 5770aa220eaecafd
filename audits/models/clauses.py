"""The clauses of ISO 9001:2015 / TCVN ISO 9001:2015 (4 to 10, every numbered sub-clause) as a tree,
in Vietnamese and English, and the question bank that checklists reuse."""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qms.models import Agency


def clause_sort_key(number: str) -> str:
    """A key that orders clause numbers as numbers: 4.4.1 < 4.4.2 < 4.10 (zero-padded parts)."""
    return ".".join(part.zfill(4) for part in number.split("."))


class Clause(models.Model):
    """A clause or sub-clause of the standard (loaded by a data migration, not edited)."""

    number = models.CharField(_("điều khoản"), max_length=20, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("điều khoản cha"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    title_vi = models.CharField(_("tên (tiếng Việt)"), max_length=300)
    title_en = models.CharField(_("tên (tiếng Anh)"), max_length=300)
    sort_key = models.CharField(max_length=60, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(editable=False, default=1)

    class Meta:
        verbose_name = _("điều khoản ISO 9001")
        verbose_name_plural = _("điều khoản ISO 9001")
        ordering = ["sort_key"]

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def title(self) -> str:
        return self.title_en if (get_language() or "vi").startswith("en") else self.title_vi

    def save(self, *args, **kwargs):
        self.sort_key = clause_sort_key(self.number)
        self.depth = self.number.count(".") + 1
        return super().save(*args, **kwargs)


class Question(models.Model):
    """An audit question on a clause. The bank's own questions (no agency) come with qms; officers
    add their agency's, which its audits' checklists reuse."""

    clause = models.ForeignKey(
        Clause, verbose_name=_("điều khoản"), on_delete=models.PROTECT, related_name="questions"
    )
    text = models.TextField(_("câu hỏi"))
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan, đơn vị"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Để trống: câu hỏi chung của ngân hàng câu hỏi."),
    )
    is_active = models.BooleanField(_("đang sử dụng"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tạo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("câu hỏi đánh giá")
        verbose_name_plural = _("ngân hàng câu hỏi đánh giá")
        ordering = ["clause__sort_key", "pk"]

    def __str__(self):
        return f"{self.clause.number}: {self.text[:80]}"

    def get_owning_agency(self):
        return self.agency
