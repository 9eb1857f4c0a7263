"""The login backend: Django's ``ModelBackend``, telling a closed login that it is closed.

Django's ``ModelBackend`` does not authenticate an inactive (closed) user at all, so the login
form can only answer "wrong username or password" and the person tries again, or asks for a new
password that never comes. This backend authenticates a closed login with the right password,
so the form refuses it with its own message (``AuthenticationForm.confirm_login_allowed``); the
wrong password still gets the usual answer, so nobody learns more than the password holder.
Unlike Django's ``AllowAllUsersModelBackend`` it never gives a closed login back for a session
(``get_user``): closing a login ends its sessions at their next request.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class LoginBackend(ModelBackend):
    def user_can_authenticate(self, user: Any) -> bool:
        return True  # closed ones too: the form tells them so

    def get_user(self, user_id: Any) -> Any:
        model = get_user_model()
        try:
            user = model._default_manager.get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if user.is_active else None
