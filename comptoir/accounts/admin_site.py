"""The admin for administrators only, behind the same login throttle as the desk.

Every agent is ``is_staff`` (the desk needs nothing more), so the admin cannot rely on Django's
default ``is_staff`` test: it requires a superuser, refuses the others at its login form with the
same answer as a wrong password (no oracle for a guessed agent password), and answers 429 when
``ThrottledModelBackend`` refused the attempt.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse

from .throttle import LOGIN_THROTTLED_MESSAGE, login_was_throttled


class AdminLoginForm(AdminAuthenticationForm):
    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except ValidationError:
            if login_was_throttled(self.request):
                raise ValidationError(LOGIN_THROTTLED_MESSAGE, code="throttled") from None
            raise

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if not user.is_superuser:
            raise ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


class ComptoirAdminSite(AdminSite):
    login_form = AdminLoginForm

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_superuser)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        response = super().login(request, extra_context)
        if login_was_throttled(request):
            response.status_code = 429
        return response
