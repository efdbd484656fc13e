"""Signing in to the desk."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.shortcuts import render

from comptoir.accounts.throttle import LOGIN_THROTTLED_MESSAGE, login_was_throttled

from ..forms import LoginForm


class LoginView(auth_views.LoginView):
    """Login behind the throttle every login path shares (``accounts.throttle``): 429 when refused."""

    template_name = "desk/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form):  # type: ignore[no-untyped-def]
        if not login_was_throttled(self.request):
            return super().form_invalid(form)
        form.errors.clear()
        context = self.get_context_data(form=form)
        context["throttled"] = LOGIN_THROTTLED_MESSAGE
        return render(self.request, self.template_name, context, status=429)
