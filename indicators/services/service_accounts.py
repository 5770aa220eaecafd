"""Service accounts of one-stop systems: a user with an unusable password (it never signs in to
the admin), holding an officer's membership of one agency (granted through
``qms.services.memberships.membership_create``, the one grant path, so the policy scopes it like a
person), and bearer tokens of Wagtail 8 (``APIToken``: only a digest, signed with ``SECRET_KEY``,
is stored; the plaintext is shown once). Revoking a token stamps ``revoked_at``: the API answers
401 from then on."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.models import APIToken

from qms.models import Agency, Role
from qms.services.memberships import membership_create
from qms.text import fold


@dataclass
class CreatedAccount:
    user: object
    token: APIToken
    plaintext: str  # shown once, never stored


def username_for(agency: Agency, name: str) -> str:
    slug = slugify(fold(name)).replace("-", "_")[:80] or "may"
    return f"api_{agency.code.lower()}_{slug}"[:150]


@transaction.atomic
def service_account_create(*, actor, agency: Agency, name: str) -> CreatedAccount:
    """A new service account named ``name`` for ``agency`` with one token. The account's username
    is derived from the agency and the name; an existing one is refused (naming it)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Hãy đặt tên cho tài khoản dịch vụ.")})
    User = get_user_model()
    username = username_for(agency, name)
    if User.objects.filter(username=username).exists():
        raise ValidationError(
            {"name": _("Đã có tài khoản dịch vụ «%(user)s».") % {"user": username}}
        )
    user = User(username=username, last_name=name[:150], is_active=True)
    user.set_unusable_password()
    user.save()
    membership_create(
        actor=actor,
        user=user,
        agency=agency,
        role=Role.OFFICER,
        note=_("Tài khoản dịch vụ (API) của hệ thống một cửa"),
    )
    token, plaintext = APIToken.create_token(user=user, name=name)
    return CreatedAccount(user=user, token=token, plaintext=plaintext)


@transaction.atomic
def tokens_revoke(*, name: str | None = None, prefix: str | None = None) -> list[APIToken]:
    """Revoke the live tokens named ``name`` or starting with ``prefix``; answers those revoked
    (an empty list when none matched)."""
    if not name and not prefix:
        raise ValidationError(_("Hãy cho biết tên (--name) hoặc tiền tố (--prefix) của token."))
    tokens = APIToken.objects.select_for_update().filter(revoked_at__isnull=True)
    if name:
        tokens = tokens.filter(name=name)
    if prefix:
        tokens = tokens.filter(prefix__startswith=prefix[:16])
    found = list(tokens)
    now = timezone.now()
    for token in found:
        token.revoked_at = now
    APIToken.objects.bulk_update(found, ["revoked_at"])
    return found
