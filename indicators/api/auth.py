"""Bearer tokens of Wagtail 8 (``wagtail.models.APIToken``, digests signed with ``SECRET_KEY``),
gated by the permission policy: a token's user must hold the right the router needs somewhere
(a service account holds one agency's officer role), else 403 before the body is read.
No token, an unknown or revoked one, or an inactive user: 401. A session cookie never counts."""

from django.utils.translation import gettext as _
from ninja.errors import HttpError
from wagtail.api.v3.auth import BearerTokenAuth

from qms import permissions


class PolicyBearerAuth(BearerTokenAuth):
    def __init__(self, resource: str, action: str = permissions.VIEW):
        super().__init__()
        self.resource = resource
        self.action = action

    def authenticate(self, request, token: str):
        api_token = super().authenticate(request, token)
        if api_token is None:
            return None
        if not permissions.has_permission(request.user, self.resource, self.action):
            raise HttpError(
                403,
                _("Tài khoản «%(user)s» không có quyền này (%(resource)s, %(action)s).")
                % {
                    "user": request.user.get_username(),
                    "resource": self.resource,
                    "action": self.action,
                },
            )
        return api_token
