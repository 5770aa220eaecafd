"""Test factories in one place: agencies, users, memberships and a small world to test rules on."""

import datetime
import itertools
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model

from qms.models import Agency, AgencyKind, Role
from qms.services.agencies import agency_create
from qms.services.memberships import membership_create

_seq = itertools.count(1)
PASSWORD = "test-pass-123"


def agency(*, name=None, kind=AgencyKind.DEPARTMENT, parent=None, code=None, **extra) -> Agency:
    n = next(_seq)
    return agency_create(
        actor=None,
        agency=Agency(
            code=code or f"T{n:04d}",
            name=name or f"Đơn vị thử {n}",
            kind=kind,
            parent=parent,
            **extra,
        ),
    )


def user(username=None, *, superuser=False, **extra):
    User = get_user_model()
    username = username or f"user{next(_seq)}"
    if superuser:
        return User.objects.create_superuser(username, f"{username}@example.test", PASSWORD)
    return User.objects.create_user(username, f"{username}@example.test", PASSWORD, **extra)


def member(agency_, role, *, username=None, start=None, end=None, acting=False, note="", **extra):
    u = user(username, **extra)
    membership_create(
        actor=None,
        user=u,
        agency=agency_,
        role=role,
        start_date=start or datetime.date(2020, 1, 1),
        end_date=end,
        acting=acting,
        note=note,
    )
    return u


def marker(agency_: Agency, kind: str) -> str:
    """A string unique to one agency and one kind of private value (a person's name, a file name,
    a draft title…); the leak test looks for it in every page an actor may open."""
    return f"mk{agency_.pk}x{kind}"


def png_bytes(color=(200, 30, 30)) -> bytes:
    import io

    from PIL import Image as PILImage

    buffer = io.BytesIO()
    PILImage.new("RGB", (8, 8), color).save(buffer, "PNG")
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _stored_file(model, agency_: Agency, *, title: str, filename: str, content: bytes, tags=()):
    from django.core.files.base import ContentFile

    obj = model.objects.create(
        title=title, file=ContentFile(content, name=filename), collection=agency_.collection
    )
    if tags:
        obj.tags.add(*tags)
    return obj


def document(agency_: Agency, *, title: str, filename: str, tags=()):
    """A PDF in the agency's collection."""
    from wagtail.documents import get_document_model

    return _stored_file(
        get_document_model(),
        agency_,
        title=title,
        filename=filename,
        content=pdf_bytes(),
        tags=tags,
    )


def image(agency_: Agency, *, title: str, filename: str, tags=()):
    """A PNG in the agency's collection."""
    from wagtail.images import get_image_model

    return _stored_file(
        get_image_model(), agency_, title=title, filename=filename, content=png_bytes(), tags=tags
    )


def agency_tree():
    """province ─┬─ dept_a ── unit_a ── desk_a
    └─ dept_b"""
    province = agency(kind=AgencyKind.PROVINCE, code="P")
    dept_a = agency(parent=province, code="A")
    dept_b = agency(parent=province, code="B")
    unit_a = agency(kind=AgencyKind.UNIT, parent=dept_a, code="A1")
    desk_a = agency(kind=AgencyKind.ONE_STOP, parent=unit_a, code="A1X")
    return province, dept_a, dept_b, unit_a, desk_a


def fresh(*objects):
    """The same rows read again from the database (no cached fields or relations)."""
    return [type(o)._default_manager.get(pk=o.pk) for o in objects]


@dataclass
class World:
    """A province with two sibling departments; the first has a unit inside it.

    ``users[(relation, role)]`` holds one user per role on the node under test (``node``), its
    ``sibling`` and its ``parent``; each user's last name and membership note carry the marker of
    their agency. ``build(objects=True)`` also gives every agency a document and an image (title,
    file name and tag marked) and lets each app add its own marked objects (``populate(world)`` in
    ``tests/<app>/authz_rules.py``), for the leak test of the matrix.
    """

    parent: Agency
    node: Agency
    sibling: Agency
    unit: Agency
    admin: object
    users: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)
    # actor label -> extra markers the actor may see by relation (e.g. a case they own elsewhere)
    granted: dict = field(default_factory=dict)
    written: set = field(default_factory=set)

    RELATIONS = ("node", "sibling", "parent")
    AGENCIES = ("parent", "node", "sibling", "unit")

    @classmethod
    def build(cls, *, objects: bool = False):
        province = agency(name="Thành phố Thử", kind=AgencyKind.PROVINCE, code="TP")
        node = agency(name="Sở Tư pháp thử", parent=province, code="STP")
        sibling = agency(name="Sở Tài chính thử", parent=province, code="STC")
        unit = agency(name="Phòng Hành chính thử", kind=AgencyKind.UNIT, parent=node, code="STP-HC")
        w = cls(
            parent=province,
            node=node,
            sibling=sibling,
            unit=unit,
            admin=user("root", superuser=True),
        )
        for relation in cls.RELATIONS:
            place = getattr(w, relation)
            for role in Role.values:
                w.users[(relation, role)] = member(place, role, username=f"{relation}_{role}")
        if objects:
            w.add_objects()
        return w

    def agencies(self):
        return [getattr(self, name) for name in self.AGENCIES]

    def add_objects(self):
        from django.contrib.auth import get_user_model

        from qms.models import Membership
        from tests.authz import app_modules

        # People's names and membership notes are private to their agency.
        for (relation, _role), u in self.users.items():
            place = getattr(self, relation)
            get_user_model().objects.filter(pk=u.pk).update(
                last_name=f"Nguyễn {self.mark(place, 'person')}"
            )
            Membership.objects.filter(user=u).update(note=self.mark(place, "note"))
        self.objects["unit_member"] = member(
            self.unit,
            Role.STAFF,
            username="world_unit_staff",
            last_name=f"Trần {self.mark(self.unit, 'person')}",
            note=self.mark(self.unit, "note"),
        )

        for place in self.agencies():
            self.objects[("document", place.pk)] = document(
                place,
                title=f"Tài liệu {self.mark(place, 'doc')}",
                filename=f"{self.mark(place, 'file')}.pdf",
                tags=[self.mark(place, "tag")],
            )
            self.objects[("image", place.pk)] = image(
                place,
                title=f"Ảnh {self.mark(place, 'img')}",
                filename=f"{self.mark(place, 'imgfile')}.png",
                tags=[self.mark(place, "imgtag")],
            )
        for module in app_modules():
            populate = getattr(module, "populate", None)
            if populate:
                populate(self)

    def actors(self):
        """(label, user) for anonymous, each role on node/sibling/parent, and the administrator."""
        yield "anonymous", None
        for (relation, role), u in self.users.items():
            yield f"{relation}_{role}", u
        yield "admin", self.admin

    def scope_of(self, label: str) -> list[Agency]:
        """The agencies whose private values the actor may see (their memberships' subtrees)."""
        if label == "admin":
            return self.agencies()
        if label == "anonymous":
            return []
        relation = label.split("_", 1)[0]
        place = getattr(self, relation)
        return [a for a in self.agencies() if a.is_within(place)]

    def mark(self, place: Agency, kind: str) -> str:
        """A marker for a private value of ``place``, remembered for the leak test."""
        value = marker(place, kind)
        self.written.add(value)
        return value

    def markers_of(self, place: Agency) -> set[str]:
        return {m for m in self.written if m.startswith(f"mk{place.pk}x")}

    def markers_visible_to(self, label: str) -> set[str]:
        visible = {m for a in self.scope_of(label) for m in self.markers_of(a)}
        return visible | set(self.granted.get(label, ()))


def tthc(
    *,
    code=None,
    name=None,
    working_days="5",
    effective_from=datetime.date(2020, 1, 1),
    agencies=(),
    field="Hộ tịch",
    level="commune",
    online_level="partial",
    legal_basis="",
):
    """A TTHC of the catalogue with one time limit (working days, in force from a date) and the
    agencies that handle it."""
    from decimal import Decimal

    from qms.models import AdministrativeProcedure, HandlingAgency, TimeLimit

    n = next(_seq)
    procedure = AdministrativeProcedure.objects.create(
        # Generated codes in a series of their own ("9.…"): tests give real-looking codes such as
        # "1.000046" explicitly, and a generated one must never meet them.
        code=code or f"9.{n:06d}",
        name=name or f"Thủ tục thử {n}",
        field=field,
        level=level,
        online_level=online_level,
    )
    TimeLimit.objects.create(
        procedure=procedure,
        working_days=Decimal(str(working_days)),
        effective_from=effective_from,
        legal_basis=legal_basis,
    )
    for handling in agencies:
        HandlingAgency.objects.create(procedure=procedure, agency=handling)
    return procedure


def procedure_publish(page, *, user=None, **changes):
    """Save a revision of the procedure ``page`` (with ``changes`` applied) by ``user`` and publish
    it as the approval workflow's finish action does (permission checks skipped). Returns the
    revision; its issue, once live, is ``revision.procedure_issue``."""
    from documents.models import ProcedurePage

    page = ProcedurePage.objects.get(pk=page.pk)
    for name, value in changes.items():
        setattr(page, name, value)
    revision = page.save_revision(user=user)
    revision.publish(user=user, skip_permission_checks=True)
    revision.refresh_from_db()
    return revision
