"""Link tokens: HMAC-signed, canonical base64url only."""
from __future__ import annotations

import base64

import pytest

from chalicelib.domain.tokens import LinkClaims, TokenError, sign, verify

KEYS = {"k1": b"k" * 32}
CLAIMS = LinkClaims("inst", "ABCDEFGHJK.34-maltepe.belediye", "34-maltepe.belediye", 1, 2_000_000_000)
NOW = 1_800_000_000


def test_a_signed_token_verifies_and_carries_its_claims():
    assert verify(sign(CLAIMS, "k1", KEYS["k1"]), KEYS, now=NOW, purpose="inst") == CLAIMS


def _part(i, suffix):
    return lambda t: ".".join(p + suffix if n == i else p for n, p in enumerate(t.split(".")))


@pytest.mark.parametrize("mangle", [
    lambda t: t + "!!", lambda t: t + "=", lambda t: t + "==", lambda t: t + " ",
    _part(2, "="), _part(2, "!!"), _part(3, "="), _part(3, "~"),
])
def test_any_other_spelling_of_a_valid_token_is_refused(mangle):
    token = sign(CLAIMS, "k1", KEYS["k1"])
    mangled = mangle(token)
    assert mangled != token
    with pytest.raises(TokenError) as exc:
        verify(mangled, KEYS, now=NOW, purpose="inst")
    assert exc.value.reason in ("malformed", "bad_signature")


def test_a_non_canonical_last_character_is_refused():
    """Unused low bits of the last base64 character: two spellings, one byte string."""
    token = sign(CLAIMS, "k1", KEYS["k1"])
    head, sig = token.rsplit(".", 1)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    def raw(s):
        return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
    twin = next(sig[:-1] + c for c in alphabet if c != sig[-1] and raw(sig[:-1] + c) == raw(sig))
    with pytest.raises(TokenError):
        verify(f"{head}.{twin}", KEYS, now=NOW, purpose="inst")
