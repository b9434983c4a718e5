from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from gonghui.core.fields import blind_q

from .models import User


class MobileBackend(ModelBackend):
    """Password login by mobile number. SMS-code login goes through accounts.services.sms_login."""

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        mobile = (username or kwargs.get("mobile") or "").strip()
        if not mobile or password is None:
            return None
        return self.check(User.objects.filter(blind_q(User, "mobile", mobile)).first(), password)

    def check(self, user: User | None, password: str) -> User | None:
        """The account if the password is right and it may log in. With no account, a hash of the same cost
        is still computed, so the time taken does not reveal which numbers have accounts."""
        if user is None:
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
