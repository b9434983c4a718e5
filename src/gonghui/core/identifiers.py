"""Chinese identifiers, validated with field-specific libraries rather than hand-written checksums."""

from __future__ import annotations

import datetime
import functools
import re
import time
from typing import Literal

import phonenumbers
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum import luhn as _luhn
from stdnum import numdb as _numdb
from stdnum.cn import ric as _ric
from stdnum.cn import uscc as _uscc
from stdnum.exceptions import ValidationError as _StdnumError

from .errors import ServiceError

_FULLWIDTH = str.maketrans({chr(0xFF10 + i): str(i) for i in range(10)} | {"Ｘ": "X", "ｘ": "X"})


def normalize(value: str) -> str:
    """Full-width digits to ASCII, spaces and dashes removed, upper case."""
    if value.isascii() and value.isalnum():  # already compact: most values, and a bulk import's every row
        return value.upper()
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


@functools.lru_cache(maxsize=4096)
def _mobile_range(prefix: str) -> bool:
    """Whether numbers starting with this 5-digit prefix are mobile numbers. Mainland mobile numbers have a fixed
    length of 11 and libphonenumber's ranges for them are decided by the first five digits: checked for every
    prefix with random suffixes (the 179 range, which it refuses or cannot parse, is invalid either way). One
    number answers for its whole range, and the cache makes validating a million-row import cheap."""
    try:
        parsed = phonenumbers.parse(prefix + "000000", "CN")
    except phonenumbers.NumberParseException:  # 179xx looks like an international dialling prefix
        return False
    return phonenumbers.is_valid_number(parsed) and phonenumbers.number_type(parsed) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


def clean_mobile(value: str, *, field: str = "mobile") -> str:
    """An 11-digit mainland mobile number ("+86", spaces and dashes allowed) or a ServiceError.

    The shape is checked first, then phonenumbers checks that the prefix is a range assigned to mobile
    service (it rejects, for example, the 140 range, which carries only machine data).
    """
    mobile = normalize(value)
    if mobile.startswith("+86"):
        mobile = mobile[3:]
    if not re.fullmatch(r"1[3-9]\d{9}", mobile):
        raise ServiceError(
            "invalid_mobile", _("A mobile number has 11 digits and starts with 1."), field=field
        )
    if not _mobile_range(mobile[:5]):
        raise ServiceError(
            "invalid_mobile",
            _("This number is not in a range used for mobile phones in mainland China."),
            field=field,
        )
    return mobile


# --- resident ID numbers (居民身份证号码, GB 11643) -----------------------------------------------------------

Sex = Literal["male", "female"]


def id_number_15_to_18(number: str) -> str:
    """Convert an old 15-digit number (YYMMDD birth date, 1900s) to 18 characters with its check character."""
    first17 = number[:6] + "19" + number[6:]
    # calc_check_digit expects the number with a check character in place and ignores that character.
    return first17 + _ric.calc_check_digit(first17 + "0")


_ID_SHAPE = re.compile(r"\d{17}[\dX]")


def _today() -> datetime.date:
    """The local date, computed at most once a minute (timezone.localdate costs microseconds, and a bulk
    import validates a million birth dates against it). Keyed on time.time(), so tests that travel in time
    see their own date."""
    return _today_at(int(time.time()) // 60)


@functools.lru_cache(maxsize=2)
def _today_at(_minute: int) -> datetime.date:
    return timezone.localdate()


def normalize_id_number(value: str) -> str:
    """The canonical form of an ID number without validating it: ASCII, no spaces, upper-case X, 18 characters
    when it was an old 15-digit number. The blind index is computed over this, so old and new numbers of one
    person find the same row."""
    number = normalize(value)
    if len(number) == 15 and number.isdigit():
        return id_number_15_to_18(number)
    return number


def _province_known(number: str) -> bool:
    return any("province" in props for _part, props in _numdb.get("cn/loc").info(number[:2] + "0000"))


def clean_id_number(value: str, *, field: str = "id_number") -> str:
    """A valid resident ID number in its 18-character form, or a ServiceError.

    Full-width digits, spaces and a lower-case x are accepted; an old 15-digit number is converted to 18
    characters. The messages never repeat the number, which is sensitive personal information.
    """
    number = normalize_id_number(value)
    if not _ID_SHAPE.fullmatch(number):
        raise ServiceError(
            "invalid_id_number",
            _("A resident ID number has 18 characters (or 15 digits for an old number)."),
            field=field,
        )
    if number[-1] != _ric.calc_check_digit(number):
        raise ServiceError(
            "invalid_id_number",
            _("The check character of this ID number is wrong; please look for a typo."),
            field=field,
        )
    try:
        # The date read directly: python-stdnum's get_birth_date compacts the number again first.
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        birth = None
    if birth is None or birth > _today() or birth < datetime.date(1890, 1, 1):
        raise ServiceError(
            "invalid_id_number", _("This ID number does not contain a valid birth date."), field=field
        )
    if not _region_known(number[:6], number[6:10]):
        raise ServiceError(
            "invalid_id_number",
            _("This ID number does not start with a known region code."),
            field=field,
        )
    return number


@functools.lru_cache(maxsize=65536)
def _region_known(region: str, birth_year: str) -> bool:
    """Whether the first six digits name a county in use in the birth year, or at least a known province.
    Cached: region codes and years are few, and this lookup in python-stdnum's database dominated an import's
    validation time."""
    try:
        _ric.get_birth_place(f"{region}{birth_year}0101000")
        return True
    except (
        _StdnumError,
        KeyError,
    ):  # python-stdnum 2.2 raises KeyError for an unknown county of a known city
        # python-stdnum knows each county code with the years it was in use. A county created after its data
        # was compiled, or renumbered, must not lock a real person out (the check character already catches
        # typos), so an unknown county is accepted when its province exists.
        return _province_known(region)


def id_number_facts(value: str) -> tuple[datetime.date, Sex]:
    """The birth date and sex written in a valid ID number (the 17th digit is odd for men)."""
    return id_number_facts_clean(clean_id_number(value))


def id_number_facts_clean(number: str) -> tuple[datetime.date, Sex]:
    """The same for a number already cleaned by clean_id_number (bulk paths validate once)."""
    birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    return birth, ("male" if int(number[16]) % 2 else "female")


# --- bank cards -------------------------------------------------------------------------------------------


def clean_bank_card(value: str, *, field: str = "bank_card") -> str:
    """A bank card number as 12 to 19 digits with a valid Luhn check digit, or a ServiceError."""
    number = normalize(value)
    if not re.fullmatch(r"\d{12,19}", number):
        raise ServiceError("invalid_bank_card", _("A bank card number has 12 to 19 digits."), field=field)
    if not _luhn.is_valid(number):
        raise ServiceError(
            "invalid_bank_card",
            _("The check digit of this bank card number is wrong; please look for a typo."),
            field=field,
        )
    return number
