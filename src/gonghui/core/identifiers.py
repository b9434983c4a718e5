"""Chinese identifiers, validated with field-specific libraries rather than hand-written checksums."""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc as _uscc
from stdnum.exceptions import ValidationError as _StdnumError

from .errors import ServiceError

_FULLWIDTH = str.maketrans({chr(0xFF10 + i): str(i) for i in range(10)} | {"Ｘ": "X", "ｘ": "X"})


def normalize(value: str) -> str:
    """Full-width digits to ASCII, spaces and dashes removed, upper case."""
    return re.sub(r"[\s\-]", "", value.translate(_FULLWIDTH)).upper()


def clean_uscc(value: str, *, field: str = "uscc") -> str:
    """A valid 统一社会信用代码 (GB 32100, 18 characters with a check character) or a ServiceError."""
    try:
        return str(_uscc.validate(normalize(value)))
    except _StdnumError as exc:
        raise ServiceError(
            "invalid_uscc",
            _("“%(value)s” is not a valid unified social credit code.") % {"value": value},
            field=field,
        ) from exc


def uscc_with_check(first17: str) -> str:
    """Complete 17 characters with their check character (used by the demo and scale seeds)."""
    return first17 + str(_uscc.calc_check_digit(first17))


def clean_division_code(value: str, *, field: str = "division_code") -> str:
    code = normalize(value)
    if not re.fullmatch(r"[1-8]\d{5}", code):
        raise ServiceError(
            "invalid_division_code",
            _("An administrative division code has six digits (GB/T 2260)."),
            field=field,
        )
    return code


def clean_mobile(value: str, *, field: str = "mobile") -> str:
    mobile = normalize(value)
    if mobile.startswith("+86"):
        mobile = mobile[3:]
    if not re.fullmatch(r"1[3-9]\d{9}", mobile):
        raise ServiceError(
            "invalid_mobile", _("A mobile number has 11 digits and starts with 1."), field=field
        )
    return mobile
