"""Pure cryptography for personal data at rest: AES-GCM sealing and keyed hashes.

Every function takes its key explicitly; where the keys come from (environment,
Secrets Manager) is the business of `adapters/secrets.py`. One 256-bit master key is
turned into separate sub-keys with HKDF, one per purpose.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass

_VERSION = "v1"


@dataclass(frozen=True)
class Keyring:
    encryption: bytes
    lookup: bytes
    access_code: bytes
    receipts: bytes = b""

    @classmethod
    def from_master(cls, master: bytes) -> "Keyring":
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF

        if len(master) != 32:
            raise ValueError("the master key must be 32 bytes")

        def derive(purpose: bytes) -> bytes:
            return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                        info=b"acikkapi/" + purpose).derive(master)

        return cls(derive(b"pii-encryption"), derive(b"national-id-lookup"), derive(b"access-code"),
                   derive(b"receipt-signing"))

    def encrypt(self, plaintext: str, context: str) -> str:
        """AES-256-GCM; `context` (e.g. the application number) is bound as associated
        data, so a ciphertext copied onto another case does not decrypt."""
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        nonce = os.urandom(12)
        sealed = AESGCM(self.encryption).encrypt(nonce, plaintext.encode("utf-8"), context.encode("utf-8"))
        return f"{_VERSION}:{base64.b64encode(nonce + sealed).decode('ascii')}"

    def decrypt(self, token: str, context: str) -> str:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        version, _, payload = token.partition(":")
        if version != _VERSION:
            raise ValueError("unknown ciphertext version")
        raw = base64.b64decode(payload)
        return AESGCM(self.encryption).decrypt(raw[:12], raw[12:], context.encode("utf-8")).decode("utf-8")

    def national_id_hash(self, national_id: str) -> str:
        """Keyed hash for look-ups (same applicant); not reversible without the key."""
        return hmac.new(self.lookup, national_id.encode("ascii"), hashlib.sha256).hexdigest()

    def access_code_hash(self, application_no: str, access_code: str) -> str:
        return hmac.new(self.access_code, f"{application_no}:{access_code}".encode("ascii"),
                        hashlib.sha256).hexdigest()

    def verify_access_code(self, application_no: str, access_code: str, stored_hash: str) -> bool:
        try:
            candidate = self.access_code_hash(application_no, access_code)
        except UnicodeEncodeError:
            return False
        return hmac.compare_digest(candidate, stored_hash)

    def fingerprint(self, data: bytes) -> str:
        """A keyed digest of a request body (it holds personal data, so never a plain hash)."""
        return hmac.new(self.lookup, data, hashlib.sha256).hexdigest()

    def _receipt_key(self, office: str):
        """Each office's own Ed25519 key, derived from the receipt sub-key and its code: an
        office's receipts verify only with its key (domain/receipts.py)."""
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        seed = hmac.new(self.receipts, b"office:" + office.encode("utf-8"), hashlib.sha256).digest()
        return Ed25519PrivateKey.from_private_bytes(seed)

    def sign_receipt(self, office: str, payload: bytes) -> bytes:
        return self._receipt_key(office).sign(payload)

    def verify_receipt(self, office: str, payload: bytes, signature: bytes) -> bool:
        from cryptography.exceptions import InvalidSignature
        try:
            self._receipt_key(office).public_key().verify(signature, payload)
        except (InvalidSignature, ValueError):
            return False
        return True

    def receipt_public_key(self, office: str) -> bytes:
        from cryptography.hazmat.primitives import serialization
        return self._receipt_key(office).public_key().public_bytes(serialization.Encoding.Raw,
                                                                   serialization.PublicFormat.Raw)


@dataclass(frozen=True)
class SigningKeys:
    """The link-signing keys: {kid: secret}, and the one new links are signed with."""
    active: str
    keys: dict

    def active_key(self) -> tuple[str, bytes]:
        return self.active, self.keys[self.active]

    @classmethod
    def from_document(cls, raw: str) -> "SigningKeys":
        """JSON {"active": "<kid>", "<kid>": "<secret, ≥ 32 characters>", ...}."""

        doc = json.loads(raw)
        keys = {kid: value.encode("utf-8") for kid, value in doc.items() if kid != "active"}
        if doc.get("active") not in keys:
            raise ValueError("the active link-signing key is not among the keys")
        if any(len(k) < 32 for k in keys.values()):
            raise ValueError("link-signing keys must be at least 32 characters")
        return cls(doc["active"], keys)


def new_signing_keys_document(kid: str = "k1") -> str:
    return json.dumps({"active": kid, kid: secrets.token_urlsafe(48)})
