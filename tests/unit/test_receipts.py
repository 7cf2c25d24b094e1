"""A receipt anyone can verify: the signed payload, the token's shape, the short code
(domain/receipts.py), with the office's Ed25519 key (domain/crypto.Keyring)."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import receipts as R
from chalicelib.domain.crypto import Keyring

KEYS = Keyring.from_master(b"m" * 32)
FIELDS = ("ABCD2345EF", "34-maltepe", "2026-12-07T10:15:00+03:00", R.subject_digest("Kaldırım çökmüş"))


def _token(fields=FIELDS, office_key=None):
    signature = KEYS.sign_receipt(office_key or fields[1], R.payload(*fields))
    return R.token(*fields, signature), signature


def test_a_token_round_trips_and_verifies_with_its_offices_key_only():
    token, signature = _token()
    no, office, received_at, digest, sig = R.parse(token)
    assert (no, office, received_at, digest, sig) == (*FIELDS, signature)
    assert KEYS.verify_receipt(office, R.payload(no, office, received_at, digest), sig)
    assert not KEYS.verify_receipt("06-cankaya", R.payload(no, office, received_at, digest), sig)
    assert not Keyring.from_master(b"n" * 32).verify_receipt(office, R.payload(*FIELDS), sig)   # another deployment


@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=1, max_value=255))
def test_changing_any_byte_of_what_is_signed_fails_the_check(position, delta):
    payload = R.payload(*FIELDS)
    signature = KEYS.sign_receipt(FIELDS[1], payload)
    i = position % len(payload)
    changed = payload[:i] + bytes([(payload[i] + delta) % 256]) + payload[i + 1:]
    assert not KEYS.verify_receipt(FIELDS[1], changed, signature)
    j = position % len(signature)
    forged = signature[:j] + bytes([(signature[j] + delta) % 256]) + signature[j + 1:]
    assert not KEYS.verify_receipt(FIELDS[1], payload, forged)


def test_the_subject_digest_forgives_only_spacing_and_unicode_form():
    assert R.subject_digest("  Kaldırım çökmüş ") == R.subject_digest("Kaldırım çökmüş")
    assert R.subject_digest("Kaldırım c\u0327ökmüş") == R.subject_digest("Kaldırım çökmüş")      # NFD to NFC
    assert R.subject_digest("Kaldirim çökmüş") != R.subject_digest("Kaldırım çökmüş")


@pytest.mark.parametrize("text", ["", "1.a.b", "x" * 401, "2." + _token()[0][2:], _token()[0] + ".x",
                                  _token()[0].replace(FIELDS[3], "z" * 32), 12345])
def test_anything_not_shaped_like_a_token_is_refused_before_it_is_decoded(text):
    with pytest.raises(R.InvalidToken):
        R.parse(text)


def test_a_token_spelled_another_way_is_a_changed_token():
    token, _ = _token()
    parts = token.split(".")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    spare = alphabet[alphabet.index(parts[5][-1]) ^ 1]          # the last character's spare bit: same bytes
    assert R._unb64(parts[5][:-1] + spare) == R._unb64(parts[5])
    parts[5] = parts[5][:-1] + spare
    with pytest.raises(R.InvalidToken):
        R.parse(".".join(parts))


def test_the_short_code_is_forgiving_to_type_and_strict_in_what_it_accepts():
    _, signature = _token()
    code = R.short_code(signature)
    assert len(code) == 11 and code[5] == "-"
    assert R.normalise_short_code(code.lower().replace("-", " ")) == code
    assert R.normalise_short_code("ABCDE-FGHI") is None and R.normalise_short_code("ABCDE-FGHI$") is None
