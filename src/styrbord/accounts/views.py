"""Login and logout (Django's views, Danish template, throttled form) and personal API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from styrbord.accounts.forms import ThrottledAuthenticationForm, TokenForm
from styrbord.accounts.models import ApiToken
from styrbord.accounts.sso import municipal_login
from styrbord.accounts.tokens import create_token, revoke_token


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    authentication_form = ThrottledAuthenticationForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["municipal_login"] = municipal_login()
        return context


class LogoutView(auth_views.LogoutView):
    pass


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    """The user's own API tokens; POST creates one and shows it once."""
    new_token = None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _token, new_token = create_token(request.user, form.cleaned_data["name"])  # type: ignore[arg-type]
        messages.success(request, _("Tokenet er oprettet. Kopiér det nu: det vises ikke igen."))
        form = TokenForm()
    tokens = ApiToken.objects.filter(user=request.user)  # type: ignore[misc]
    return render(request, "accounts/tokens.html", {"form": form, "tokens": tokens, "new_token": new_token})


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of the user's own tokens (another user's token answers 404)."""
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    revoke_token(token, request.user)  # type: ignore[arg-type]
    messages.success(request, _("Tokenet er tilbagekaldt."))
    return redirect("accounts:token_list")
