"""Personal identifiers: the national id (TCKN or foreigner YKN) and mobile phone numbers."""
from __future__ import annotations

import re


def is_valid_national_id(value: str) -> bool:
    """TCKN/YKN checksum (docs/domain-rules.md §1). YKN numbers start with 99 and use the same rule."""
    if not isinstance(value, str) or len(value) != 11 or not value.isascii() or not value.isdigit():
        return False
    d = [int(c) for c in value]
    if d[0] == 0:
        return False
    odd = d[0] + d[2] + d[4] + d[6] + d[8]
    even = d[1] + d[3] + d[5] + d[7]
    if (odd * 7 - even) % 10 != d[9]:  # Python's % is already the non-negative remainder
        return False
    return sum(d[:10]) % 10 == d[10]


def mask_national_id(value: str) -> str:
    """`12345678950` -> `123******50`, for screens at a desk."""
    if len(value) != 11:
        return "*" * len(value)
    return value[:3] + "*" * 6 + value[-2:]


_PHONE_JUNK = re.compile(r"[\s\-().]")


def normalise_mobile(value: str) -> str | None:
    """A Turkish mobile number in any usual spelling -> `+905XXXXXXXXX`, or None."""
    if not isinstance(value, str):
        return None
    digits = _PHONE_JUNK.sub("", value.strip())
    if digits.startswith("+"):
        digits = digits[1:]
        if not digits.startswith("90"):
            return None
    if digits.startswith("0090"):
        digits = digits[4:]
    elif digits.startswith("90") and len(digits) == 12:
        digits = digits[2:]
    elif digits.startswith("0") and len(digits) == 11:
        digits = digits[1:]
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit() or digits[0] != "5":
        return None
    return "+90" + digits


def mask_phone(value: str) -> str:
    """`+905321234567` -> `+90532*****67`."""
    if len(value) < 6:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 8) + value[-2:]


def mask_email(value: str | None) -> str | None:
    """`ayse.yilmaz@example.com` -> `a**********@example.com`: enough to recognise, not to write to."""
    if not value:
        return value
    local, _, domain = value.partition("@")
    return f"{local[:1]}{'*' * max(len(local) - 1, 1)}@{domain}"
