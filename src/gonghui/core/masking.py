"""Masked display of personal data (DOMAIN §8): the full value is shown only with a permission.

The masks follow what people in China see on bank and government sites: an ID number keeps its region
(first six) and last four characters, 330106********123X; a mobile number its operator prefix and last four,
138****5678; a bank card its first and last four digits with a fixed number of star groups, 6222 **** **** 1234,
so the mask tells which bank without telling the length of the number. A value too short for its mask is
starred completely, and an empty value stays empty.
"""

from __future__ import annotations


def mask_mobile(mobile: str | None) -> str:
    """138****5678."""
    if not mobile:
        return ""
    if len(mobile) != 11:
        return "*" * len(mobile)
    return f"{mobile[:3]}****{mobile[-4:]}"


def mask_id_number(value: str | None) -> str:
    """330106********123X (an old 15-digit number keeps the same ends: 330106*****1234)."""
    if not value:
        return ""
    if len(value) < 10:
        return "*" * len(value)
    return f"{value[:6]}{'*' * (len(value) - 10)}{value[-4:]}"


def mask_bank_card(value: str | None) -> str:
    """6222 **** **** 1234 whatever the length (12 to 19 digits)."""
    if not value:
        return ""
    digits = "".join(ch for ch in value if ch.isdigit())
    if len(digits) < 12:
        return "*" * len(digits)
    return f"{digits[:4]} **** **** {digits[-4:]}"


def mask_name(name: str | None) -> str:
    """张* for two characters; 李*明 and 欧**明 style for longer names: the first and last stay."""
    if not name:
        return ""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return f"{name[0]}*"
    return f"{name[0]}{'*' * (len(name) - 2)}{name[-1]}"
