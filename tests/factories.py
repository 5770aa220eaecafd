"""Test factories in one place: agencies, users, memberships and a small world to test rules on."""

import datetime
import itertools
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model

from qms.models import Agency, AgencyKind, Role
from qms.services.memberships import membership_create

_seq = itertools.count(1)
PASSWORD = "test-pass-123"


def agency(*, name=None, kind=AgencyKind.DEPARTMENT, parent=None, code=None, **extra) -> Agency:
    n = next(_seq)
    return Agency.objects.create(
        code=code or f"T{n:04d}", name=name or f"Đơn vị thử {n}", kind=kind, parent=parent, **extra
    )


def user(username=None, *, superuser=False, **extra):
    User = get_user_model()
    username = username or f"user{next(_seq)}"
    if superuser:
        return User.objects.create_superuser(username, f"{username}@example.test", PASSWORD)
    return User.objects.create_user(username, f"{username}@example.test", PASSWORD, **extra)


def member(agency_, role, *, username=None, start=None, end=None, acting=False):
    u = user(username)
    membership_create(
        actor=None,
        user=u,
        agency=agency_,
        role=role,
        start_date=start or datetime.date(2020, 1, 1),
        end_date=end,
        acting=acting,
    )
    return u


@dataclass
class World:
    """A province with two sibling departments; the first has a unit inside it.

    ``users[(relation, role)]`` holds one user per role on the node under test (``node``), its
    ``sibling`` and its ``parent``.
    """

    parent: Agency
    node: Agency
    sibling: Agency
    unit: Agency
    admin: object
    users: dict = field(default_factory=dict)

    RELATIONS = ("node", "sibling", "parent")

    @classmethod
    def build(cls):
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
            for role in Role.values:
                w.users[(relation, role)] = member(
                    getattr(w, relation), role, username=f"{relation}_{role}"
                )
        return w

    def actors(self):
        """(label, user) for anonymous, each role on node/sibling/parent, and the administrator."""
        yield "anonymous", None
        for (relation, role), u in self.users.items():
            yield f"{relation}_{role}", u
        yield "admin", self.admin
