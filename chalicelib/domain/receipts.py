"""A receipt anyone can verify (issue 41).

The receipt carries what it shows (the number, the office, the time received) and a
digest of its subject, signed with the office's own Ed25519 key (domain/crypto.Keyring).
The QR code on it is the address of the public page `dogrula.html` with that token in the
#fragment; the page asks the API whether the signature holds, and the API answers only
what the receipt already shows. Changing any byte of the token (a digit of the number,
another office, a minute of the time, another subject) fails the check. The short code
printed beside the QR is the signature's first 50 bits, for someone who types: it is
checked against the same signature recomputed from the case (Ed25519 is deterministic).

Pure: no I/O, no keys; the keys sign and verify through the `Keys` port.
"""
from __future__ import annotations

import base64
import hashlib
import unicodedata

VERSION = "1"
SHORT_CODE_CHARS = 10           # base32: 50 bits of the signature, written XXXXX-XXXXX


class InvalidToken(ValueError):
    pass


def subject_digest(subject: str) -> str:
    """The first 128 bits of SHA-256 over the subject as shown (NFC, trimmed): the page
    can check a subject someone types against it without the token carrying the text."""
    text = unicodedata.normalize("NFC", subject.strip())
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def payload(application_no: str, office: str, received_at: str, digest: str) -> bytes:
    """What is signed: every field on its own line after a fixed header."""
    return "\n".join(["ACIKKAPI-RECEIPT", VERSION, application_no, office, received_at, digest]).encode("utf-8")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def token(application_no: str, office: str, received_at: str, digest: str, signature: bytes) -> str:
    """`1.<number>.<office>.<received at>.<digest>.<signature>`, each field URL-safe."""
    return ".".join([VERSION, application_no, office, _b64(received_at.encode("utf-8")), digest, _b64(signature)])


def parse(text: str) -> tuple[str, str, str, str, bytes]:
    """(number, office, received at, digest, signature) of a token, or InvalidToken. Bounded:
    anything longer than a receipt's token is refused before it is decoded."""
    if not isinstance(text, str) or len(text) > 400:
        raise InvalidToken("too long")
    parts = text.strip().split(".")
    if len(parts) != 6 or parts[0] != VERSION:
        raise InvalidToken("shape")
    _, no, office, received_b64, digest, signature_b64 = parts
    try:
        received_at = _unb64(received_b64).decode("utf-8")
        signature = _unb64(signature_b64)
    except (ValueError, UnicodeDecodeError):
        raise InvalidToken("encoding") from None
    if _b64(received_at.encode("utf-8")) != received_b64 or _b64(signature) != signature_b64:
        raise InvalidToken("not canonical")       # another spelling of the same bytes is a changed token
    if not (no.isalnum() and len(no) <= 12 and len(office) <= 40 and len(received_at) <= 40
            and len(digest) == 32 and all(c in "0123456789abcdef" for c in digest) and len(signature) == 64):
        raise InvalidToken("fields")
    return no, office, received_at, digest, signature


def short_code(signature: bytes) -> str:
    code = base64.b32encode(signature).decode("ascii")[:SHORT_CODE_CHARS]
    return f"{code[:5]}-{code[5:]}"


def normalise_short_code(text: str) -> str | None:
    """What someone typed, as the code is printed (case, spaces and dashes forgiven); None
    if it cannot be one."""
    raw = "".join(c for c in (text or "").upper() if c.isalnum())
    raw = raw.replace("0", "O").replace("1", "I").replace("8", "B")     # base32 has no 0, 1, 8
    if len(raw) != SHORT_CODE_CHARS or any(c not in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" for c in raw):
        return None
    return f"{raw[:5]}-{raw[5:]}"
