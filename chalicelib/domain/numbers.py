"""Application numbers and access codes.

Both use an alphabet without the look-alikes 0/O and 1/I/L, so that a number read
over the phone or copied from an SMS survives. The application number is nine
random characters plus one check character (a weighted sum modulo 31, which is
prime: every single-character error and every swap of two neighbours in the body
changes the check). It is shown as `XXXX-XXXX-XX`.
"""
from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_INDEX = {c: i for i, c in enumerate(ALPHABET)}
_BASE = len(ALPHABET)  # 31
BODY_LENGTH = 9
ACCESS_CODE_LENGTH = 10  # 31**10 ~ 2**49.5: more than 40 bits of randomness


def check_character(body: str) -> str:
    total = sum((i + 1) * _INDEX[c] for i, c in enumerate(body))
    return ALPHABET[total % _BASE]


def new_application_no() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return body + check_character(body)


def normalise_application_no(value: str) -> str | None:
    """Accepts any case, spaces and dashes; returns the canonical 10 characters or None
    when the text cannot be an application number (wrong length, characters or check)."""
    if not isinstance(value, str):
        return None
    text = value.replace("-", "").replace(" ", "").replace("i", "I").upper()
    if len(text) != BODY_LENGTH + 1 or any(c not in _INDEX for c in text):
        return None
    if check_character(text[:-1]) != text[-1]:
        return None
    return text


def format_application_no(no: str) -> str:
    return f"{no[:4]}-{no[4:8]}-{no[8:]}"


def new_access_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(ACCESS_CODE_LENGTH))


def normalise_access_code(value: str | None) -> str:
    if not isinstance(value, str):
        return ""
    return value.replace("-", "").replace(" ", "").replace("i", "I").upper()


def format_access_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"
