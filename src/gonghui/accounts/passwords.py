"""Password policy profiles, as data and validators (MLPS level 3 by default, OWASP ASVS as the alternative).

settings.GONGHUI_PASSWORD_PROFILE chooses the profile; settings.AUTH_PASSWORD_VALIDATORS is built from it, so
Django's own forms and our services check the same rules.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.contrib.auth.hashers import Argon2PasswordHasher, check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


@dataclass(frozen=True)
class Profile:
    min_length: int
    min_classes: int  # of lower case, upper case, digits, symbols
    history: int  # refuse the last N passwords
    cadre_max_age_days: int | None  # forced rotation for cadre accounts; None means never
    breached_list: bool


PROFILES = {
    # GB/T 22239-2019 level 3 as assessors read it: complex passwords changed periodically.
    "mlps": Profile(min_length=8, min_classes=3, history=5, cadre_max_age_days=90, breached_list=False),
    # OWASP ASVS 4 §2.1: length over complexity, a breached-password check, no forced rotation.
    "asvs": Profile(min_length=12, min_classes=0, history=0, cadre_max_age_days=None, breached_list=True),
}


def profile(name: str | None = None) -> Profile:
    from django.conf import settings

    return PROFILES[name or settings.GONGHUI_PASSWORD_PROFILE]


def validators_for(name: str) -> list[dict[str, Any]]:
    p = PROFILES[name]
    validators: list[dict[str, Any]] = [
        {
            "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
            "OPTIONS": {"min_length": p.min_length},
        },
        {"NAME": "gonghui.accounts.passwords.MaximumLengthValidator"},
        {"NAME": "gonghui.accounts.passwords.NotMobileValidator"},
    ]
    if p.min_classes:
        validators.append(
            {
                "NAME": "gonghui.accounts.passwords.CharacterClassValidator",
                "OPTIONS": {"min_classes": p.min_classes},
            }
        )
    if p.history:
        validators.append(
            {"NAME": "gonghui.accounts.passwords.HistoryValidator", "OPTIONS": {"count": p.history}}
        )
    if p.breached_list:
        validators.append({"NAME": "gonghui.accounts.passwords.BreachedPasswordValidator"})
    return validators


class MaximumLengthValidator:
    """Long passphrases are welcome, but not megabytes that make hashing a denial of service."""

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > 128:
            raise ValidationError(_("A password can have at most 128 characters."), code="password_too_long")

    def get_help_text(self) -> str:
        return _("At most 128 characters.")


class CharacterClassValidator:
    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        classes = [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < self.min_classes:
            raise ValidationError(
                ngettext(
                    "Use at least %(n)d kind of character: lower case, upper case, digits, symbols.",
                    "Use at least %(n)d kinds of characters: lower case, upper case, digits, symbols.",
                    self.min_classes,
                )
                % {"n": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _("At least %(n)d of: lower case, upper case, digits, symbols.") % {"n": self.min_classes}


class NotMobileValidator:
    def validate(self, password: str, user: Any = None) -> None:
        mobile = getattr(user, "mobile", "") or ""
        if mobile and (mobile in password or mobile[-8:] in password):
            raise ValidationError(
                _("The password must not contain your mobile number."), code="password_has_mobile"
            )

    def get_help_text(self) -> str:
        return _("Not containing your mobile number.")


class HistoryValidator:
    def __init__(self, count: int = 5) -> None:
        self.count = count

    def validate(self, password: str, user: Any = None) -> None:
        if user is None or not getattr(user, "pk", None):
            return
        previous = [
            user.password,
            *user.password_history.values_list("password", flat=True)[: self.count - 1],
        ]
        if any(encoded and check_password(password, encoded) for encoded in previous):
            raise ValidationError(
                _("Choose a password you have not used for your last %(n)d passwords.") % {"n": self.count},
                code="password_reused",
            )

    def get_help_text(self) -> str:
        return _("Not one of your last %(n)d passwords.") % {"n": self.count}


BREACHED_LIST = Path(__file__).parent / "data" / "breached-passwords.txt.gz"


@lru_cache(maxsize=1)
def _breached() -> frozenset[str]:
    with gzip.open(BREACHED_LIST, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip().lower() for line in handle if line.strip())


class BreachedPasswordValidator:
    """Refuses passwords from the list shipped in accounts/data (no network call at login time)."""

    def validate(self, password: str, user: Any = None) -> None:
        if password.lower() in _breached():
            raise ValidationError(
                _("This password appears in lists of leaked passwords. Choose another."),
                code="password_breached",
            )

    def get_help_text(self) -> str:
        return _("Not a password known from leaks.")


class GonghuiArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with the OWASP minimum (19 MiB, 2 passes, 1 lane) instead of Django's 100 MiB and 8 lanes:
    on a 2-core host a login storm of 50 at once then needs about 1 GB, not 5 GB. Measured in bench/passwords.py."""

    time_cost = 2
    memory_cost = 19456
    parallelism = 1
