"""Key loading: the master key and the link-signing keys, from the environment (local
stack, tests) or from Secrets Manager (AWS). Implements the `Keys` port; the
cryptography itself is pure and lives in `domain/crypto.py`.

- master key: `ACIKKAPI_MASTER_KEY` (base64, 32 bytes) or `ACIKKAPI_MASTER_SECRET_ARN`
  (a generated secret under the personal-data KMS key; its SHA-256 is the master key);
- link-signing keys: `LINK_SIGNING_KEYS` (JSON) or `LINK_SIGNING_SECRET_ARN`.

Both are read once per container. The signing keys are read again when a token names a
key id we do not know (`refresh_signing_keys`): a key activated after this container
started must verify at once, not after the container is recycled.
"""
from __future__ import annotations

import base64
import hashlib
import os
import threading
import time

from ..domain.crypto import Keyring, SigningKeys
from .aws import client

REFRESH_MIN_INTERVAL = 30.0  # seconds between two refreshes, so bad kids cannot hammer the secret


def _secret(arn: str) -> str:
    return client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]


def load_master_key() -> bytes:
    if os.environ.get("ACIKKAPI_MASTER_KEY"):
        key = base64.b64decode(os.environ["ACIKKAPI_MASTER_KEY"])
    elif os.environ.get("ACIKKAPI_MASTER_SECRET_ARN"):
        key = hashlib.sha256(_secret(os.environ["ACIKKAPI_MASTER_SECRET_ARN"]).encode("utf-8")).digest()
    else:
        raise RuntimeError("no master key configured (ACIKKAPI_MASTER_KEY or ACIKKAPI_MASTER_SECRET_ARN)")
    if len(key) != 32:
        raise RuntimeError("the master key must be 32 bytes")
    return key


def load_signing_keys() -> SigningKeys:
    if os.environ.get("LINK_SIGNING_KEYS"):
        raw = os.environ["LINK_SIGNING_KEYS"]
    elif os.environ.get("LINK_SIGNING_SECRET_ARN"):
        raw = _secret(os.environ["LINK_SIGNING_SECRET_ARN"])
    else:
        raise RuntimeError("no link-signing keys configured (LINK_SIGNING_KEYS or LINK_SIGNING_SECRET_ARN)")
    try:
        return SigningKeys.from_document(raw)
    except ValueError as exc:
        raise RuntimeError(str(exc)) from None


class ConfiguredKeys:
    """The `Keys` port over the deployment's configured secrets."""

    def __init__(self, *, master_loader=load_master_key, signing_loader=load_signing_keys):
        self._master_loader, self._signing_loader = master_loader, signing_loader
        self._keyring: Keyring | None = None
        self._signing: SigningKeys | None = None
        self._refreshed_at = 0.0
        self._lock = threading.Lock()

    @property
    def keyring(self) -> Keyring:
        if self._keyring is None:
            self._keyring = Keyring.from_master(self._master_loader())
        return self._keyring

    def signing_keys(self) -> SigningKeys:
        if self._signing is None:
            self._signing = self._signing_loader()
        return self._signing

    def refresh_signing_keys(self) -> bool:
        """Reads the signing keys again (at most every 30 s); True when they changed."""
        with self._lock:
            if time.monotonic() - self._refreshed_at < REFRESH_MIN_INTERVAL and self._signing is not None:
                return False
            self._refreshed_at = time.monotonic()
            fresh = self._signing_loader()
            changed = fresh != self._signing
            self._signing = fresh
            return changed

    # the Keys port, delegated to the pure keyring
    def seal(self, plaintext: str, context: str) -> str:
        return self.keyring.encrypt(plaintext, context)

    def unseal(self, token: str, context: str) -> str:
        return self.keyring.decrypt(token, context)

    def national_id_hash(self, national_id: str) -> str:
        return self.keyring.national_id_hash(national_id)

    def access_code_hash(self, application_no: str, access_code: str) -> str:
        return self.keyring.access_code_hash(application_no, access_code)

    def verify_access_code(self, application_no: str, access_code: str, stored_hash: str) -> bool:
        return self.keyring.verify_access_code(application_no, access_code, stored_hash)

    def fingerprint(self, data: bytes) -> str:
        return self.keyring.fingerprint(data)

    def sign_receipt(self, office: str, payload: bytes) -> bytes:
        return self.keyring.sign_receipt(office, payload)

    def verify_receipt(self, office: str, payload: bytes, signature: bytes) -> bool:
        return self.keyring.verify_receipt(office, payload, signature)
