"""Login throttling: django-axes' lock-out page (Wagtail's login with a Vietnamese message) and the
throttle of password-reset e-mails per address, which axes does not cover."""

import math

from axes.helpers import get_client_ip_address, get_client_username, get_cool_off
from django.conf import settings
from django.core.cache import cache
from django.forms.utils import ErrorDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from wagtail.admin.views import account


def lockout_message(request) -> str:
    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else 0
    return _(
        "Tài khoản tạm khóa do đăng nhập sai quá nhiều lần; thử lại sau %(minutes)d phút hoặc "
        "liên hệ quản trị viên."
    ) % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: Wagtail's login page (for the Wagtail and the Django admin login
    alike) showing why the sign-in was refused, with status 429."""
    view = account.LoginView()
    view.setup(request)
    form = view.get_form_class()(
        request, initial={"username": get_client_username(request, credentials) or ""}
    )
    # An unbound form showing one error: validating it would try to sign in again.
    form._errors = ErrorDict({"__all__": form.error_class([lockout_message(request)])})
    context = view.get_context_data(form=form)
    return render(request, view.template_name, context, status=settings.AXES_HTTP_RESPONSE_CODE)


def password_reset_allowed(request) -> bool:
    """Count one password-reset request from the client's address; False past the limit of
    PASSWORD_RESET_LIMIT within PASSWORD_RESET_WINDOW seconds."""
    key = f"qms:password-reset:{get_client_ip_address(request)}"
    cache.add(key, 0, timeout=settings.PASSWORD_RESET_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=settings.PASSWORD_RESET_WINDOW)
        count = 1
    return count <= settings.PASSWORD_RESET_LIMIT


class ThrottledPasswordResetView(account.PasswordResetView):
    """Wagtail's password reset, refusing to send more e-mails from one address than the limit
    (each e-mail goes to a real person; an attacker could flood an agency's inboxes)."""

    def form_valid(self, form):
        if not password_reset_allowed(self.request):
            form.add_error(
                None,
                _(
                    "Đã có quá nhiều yêu cầu đặt lại mật khẩu từ địa chỉ này; thử lại sau %(minutes)d phút."
                )
                % {"minutes": settings.PASSWORD_RESET_WINDOW // 60},
            )
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().form_valid(form)
