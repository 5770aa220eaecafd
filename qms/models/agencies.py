"""The state tree (agencies with validity and successors) and who holds which role where."""

import datetime

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qms.people import person_name
from qms.text import fold, nfc

REFORM_DATE = datetime.date(2025, 7, 1)  # two-tier local government (districts abolished)


class AgencyKind(models.TextChoices):
    PROVINCE = "province", _("Tỉnh, thành phố")
    DEPARTMENT = "department", _("Sở, ban, ngành")
    COMMUNE = "commune", _("Xã, phường, đặc khu")
    UNIT = "unit", _("Phòng, đơn vị thuộc")
    ONE_STOP = "one_stop", _("Bộ phận một cửa")
    DISTRICT = "district", _("Quận, huyện (trước 01/7/2025)")


def subtree_q(paths, lookup: str = "path") -> Q:
    """The one subtree filter: rows whose agency path (``lookup``) lies at or below any of
    ``paths`` (materialised paths such as "/1/4/"); ``None`` means everywhere."""
    if paths is None:
        return Q()
    query = Q(pk__in=[])
    for path in paths:
        query |= Q(**{f"{lookup}__startswith": path})
    return query


def path_within(path: str, ancestor_path: str) -> bool:
    """The subtree test in Python: is the node at ``path`` at or below ``ancestor_path``?"""
    return bool(ancestor_path) and path.startswith(ancestor_path)


class AgencyQuerySet(models.QuerySet):
    def valid_on(self, day: datetime.date):
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        )

    def subtree_of(self, agencies):
        """Agencies at or below any of ``agencies`` (by materialised path)."""
        return self.filter(subtree_q([agency.path for agency in agencies]))

    def owning_collection(self, collection):
        """The agency whose Wagtail collection holds ``collection`` (itself or the nearest
        collection above it), or None."""
        # Read the collection again: its in-memory path is stale once a sibling was added or the
        # tree moved (treebeard renumbers paths), and the path is what finds the ancestors.
        collection = type(collection).objects.get(pk=collection.pk)
        ancestors = collection.get_ancestors(inclusive=True)
        return self.filter(collection__in=ancestors).order_by("-collection__depth").first()


class Agency(models.Model):
    code = models.CharField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    name_folded = models.CharField(max_length=255, editable=False, db_index=True)
    kind = models.CharField(_("loại"), max_length=20, choices=AgencyKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("trực thuộc"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path of primary keys ("/1/4/9/") so a subtree is one indexed prefix query.
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    # The agency's own Wagtail collection (its files), created with the agency and nested like the
    # tree, so collection permissions on it cover the units inside.
    collection = models.OneToOneField(
        "wagtailcore.Collection",
        verbose_name=_("thư mục tệp"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="agency",
    )
    history = HistoricalRecords()

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("cơ quan, đơn vị")
        verbose_name_plural = _("cơ quan, đơn vị")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="agency_valid_range",
            )
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name a person can tell apart in a chooser or a list: a unit or one-stop part names
        its parent ("Văn phòng Sở — Sở Tư pháp"), since every department has a "Văn phòng Sở".
        Lists of units should select_related("parent")."""
        if self.kind in (AgencyKind.UNIT, AgencyKind.ONE_STOP) and self.parent_id:
            return f"{self.name} — {self.parent.name}"
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1 if self.path else 0

    def clean(self):
        self.name = nfc(self.name)
        self.code = nfc(self.code).upper()
        if self.kind == AgencyKind.DISTRICT and (
            self.valid_to is None or self.valid_to >= REFORM_DATE
        ):
            raise ValidationError(
                {
                    "valid_to": _(
                        "Cấp huyện đã chấm dứt hoạt động từ 01/7/2025: nhập ngày hết hiệu lực trước ngày đó."
                    )
                }
            )
        if self.parent_id and self.pk and self.parent_id == self.pk:
            raise ValidationError({"parent": _("Một đơn vị không thể trực thuộc chính nó.")})
        if self.parent_id and self.pk and f"/{self.pk}/" in self.parent.path:
            raise ValidationError({"parent": _("Không thể chuyển đơn vị vào bên trong chính nó.")})

    def path_under(self, parent_path: str) -> str:
        """This node's materialised path below a parent at ``parent_path`` ("/" for the top)."""
        return f"{parent_path}{self.pk}/"

    def parent_id_in_path(self) -> int | None:
        """The parent the stored path places this node under (None at the top)."""
        ids = self.ancestor_ids()
        return ids[-2] if len(ids) > 1 else None

    def save(self, *args, **kwargs):
        """Keep the path in step with the parent. A new node's path holds its own primary key, so
        it is inserted, given its path, and only then recorded in its history (the first history
        row shows the path). Moving a node is ``qms.services.agencies.agency_move``: it carries the
        subtree along and records every moved node; a plain save never moves anything."""
        self.name = nfc(self.name)
        self.name_folded = fold(self.name, self._meta.get_field("name_folded").max_length)
        if not self._state.adding:
            if self.parent_id != self.parent_id_in_path():
                raise ValueError(
                    f"Agency {self.pk}: the parent changed; move agencies with "
                    "qms.services.agencies.agency_move"
                )
            return super().save(*args, **kwargs)
        parent_path = (
            Agency.objects.values_list("path", flat=True).get(pk=self.parent_id)
            if self.parent_id
            else "/"
        )
        if self.pk is not None:  # a primary key given in advance: the path is known already
            self.path = self.path_under(parent_path)
            return super().save(*args, **kwargs)
        recording = not hasattr(self, "skip_history_when_saving")
        with transaction.atomic(using=kwargs.get("using")):
            self.skip_history_when_saving = True
            try:
                super().save(*args, **kwargs)
            finally:
                if recording:
                    del self.skip_history_when_saving
            self.path = self.path_under(parent_path)
            Agency.objects.filter(pk=self.pk).update(path=self.path)
            if recording:
                Agency.history.bulk_history_create([self])

    def is_valid_on(self, day: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or self.valid_to >= day
        )

    def is_within(self, other: "Agency") -> bool:
        """Is this agency ``other`` or a unit inside it (the subtree test, in Python)."""
        return path_within(self.path, other.path)

    def ancestor_ids(self) -> list[int]:
        return [int(p) for p in self.path.strip("/").split("/") if p]


class SuccessionKind(models.TextChoices):
    MERGE = "merge", _("Hợp nhất, sáp nhập")
    SPLIT = "split", _("Chia tách")
    RENAME = "rename", _("Đổi tên")
    TRANSFER = "transfer", _("Chuyển giao nhiệm vụ")


class AgencySuccession(models.Model):
    predecessor = models.ForeignKey(
        Agency, verbose_name=_("đơn vị cũ"), on_delete=models.CASCADE, related_name="successions"
    )
    successor = models.ForeignKey(
        Agency,
        verbose_name=_("đơn vị kế thừa"),
        on_delete=models.CASCADE,
        related_name="predecessions",
    )
    kind = models.CharField(_("hình thức"), max_length=20, choices=SuccessionKind.choices)
    effective_date = models.DateField(_("ngày có hiệu lực"))
    legal_basis = models.CharField(_("căn cứ"), max_length=255, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kế thừa đơn vị")
        verbose_name_plural = _("kế thừa đơn vị")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="succession_unique"),
            models.CheckConstraint(
                condition=~Q(predecessor=models.F("successor")), name="succession_not_self"
            ),
        ]

    def __str__(self):
        return f"{self.predecessor} → {self.successor}"


class Role(models.TextChoices):
    OFFICER = "officer", _("Cán bộ đầu mối ISO")
    AUDITOR = "auditor", _("Đánh giá viên nội bộ")
    LEADER = "leader", _("Lãnh đạo")
    STAFF = "staff", _("Công chức, viên chức")


class MembershipQuerySet(models.QuerySet):
    def active(self, day: datetime.date | None = None):
        day = day or timezone.localdate()
        return self.filter(Q(start_date__lte=day), Q(end_date__isnull=True) | Q(end_date__gte=day))


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người dùng"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan, đơn vị"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    start_date = models.DateField(_("từ ngày"), default=timezone.localdate)
    end_date = models.DateField(_("đến ngày"), null=True, blank=True)
    acting = models.BooleanField(
        _("quyền (ủy quyền)"), default=False, help_text=_("Giữ vai trò theo ủy quyền, tạm thời.")
    )
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    history = HistoricalRecords()

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("phân công vai trò")
        verbose_name_plural = _("phân công vai trò")
        ordering = ["agency__path", "role", "user__username"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="membership_dates",
            ),
            models.UniqueConstraint(
                fields=["user", "agency", "role", "start_date"], name="membership_unique"
            ),
        ]

    def __str__(self):
        acting = " (q.)" if self.acting else ""
        return f"{person_name(self.user)} · {self.get_role_display()}{acting} · {self.agency}"

    @admin.display(description=_("người dùng"), ordering="user__first_name")
    def holder_name(self) -> str:
        """Who holds the role, by full name (lists and exports)."""
        return person_name(self.user)

    def clean(self):
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("Ngày kết thúc phải sau ngày bắt đầu.")})
        if self.user_id and self.agency_id and self.start_date:
            # One person holds one role on one agency at most once at a time.
            overlapping = (
                Membership.objects.filter(user_id=self.user_id, agency_id=self.agency_id)
                .filter(role=self.role)
                .exclude(pk=self.pk)
                .filter(Q(end_date__isnull=True) | Q(end_date__gte=self.start_date))
            )
            if self.end_date:
                overlapping = overlapping.filter(start_date__lte=self.end_date)
            other = overlapping.order_by("start_date").first()
            if other:
                until = (
                    other.end_date.strftime("%d/%m/%Y") if other.end_date else _("chưa kết thúc")
                )
                raise ValidationError(
                    {
                        "start_date": _(
                            "Người này đã giữ vai trò này tại đơn vị này từ %(start)s (%(until)s): "
                            "hãy sửa hoặc kết thúc phân công đó thay vì thêm trùng."
                        )
                        % {"start": other.start_date.strftime("%d/%m/%Y"), "until": until}
                    }
                )

    def is_active_on(self, day: datetime.date) -> bool:
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)
