"""The composition root: the one place that chooses the adapters.

Every blueprint and every worker in app.py takes its ports from `ports()`. Each
adapter is built on first use and kept for the life of the container (the Chalice
todo-app's lazy clients); a health check builds none. Tests call `override(...)` with
fakes, and `reset()` after changing the environment.
"""
from __future__ import annotations

import threading
from datetime import datetime, timezone

from .services.ports import Ports

_lock = threading.RLock()
_ports: Ports | None = None


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class _LazyPorts(Ports):
    """Ports whose adapters are imported and built when a service first touches them."""

    def __init__(self):  # noqa: D107 - the dataclass fields are properties here
        self._built: dict = {}

    def _get(self, name: str, build):
        if name not in self._built:
            with _lock:
                if name not in self._built:
                    self._built[name] = build()
        return self._built[name]

    @property
    def keys(self):
        from .adapters.secrets import ConfiguredKeys
        return self._get("keys", ConfiguredKeys)

    @property
    def store(self):
        from .adapters.store import DynamoStore
        return self._get("store", lambda: DynamoStore(self.keys))

    @property
    def audit(self):
        from .adapters.store import DynamoAuditLog
        return self._get("audit", DynamoAuditLog)

    @property
    def publisher(self):
        from .adapters.publisher import SqsPublisher
        from .config import settings
        return self._get("publisher", lambda: SqsPublisher(settings().routing_queue_url,
                                                           settings().notification_queue_url, self.keys))

    @property
    def storage(self):
        from .adapters.storage import CloudFrontDownloads, S3Storage
        from .config import settings
        return self._get("storage", lambda: S3Storage(settings().attachments_bucket,
                                                      downloads=CloudFrontDownloads.configured(settings())))

    @property
    def identity(self):
        from .adapters.cognito import CognitoStaffIdentity
        return self._get("identity", CognitoStaffIdentity)

    @property
    def clock(self):
        return self._get("clock", SystemClock)


def ports() -> Ports:
    global _ports
    if _ports is None:
        with _lock:
            if _ports is None:
                _ports = _LazyPorts()
    return _ports


def override(p: Ports | None) -> None:
    """Tests: serve these ports (None: back to the real adapters, rebuilt lazily)."""
    global _ports
    _ports = p


def reset() -> None:
    """Forget every built adapter and cached client (after the environment changed)."""
    override(None)
    import sys
    from .adapters import aws
    aws.reset()
    from .services import staff
    staff.forget_cached()
    open311 = sys.modules.get("chalicelib.services.open311")
    if open311 is not None:
        open311.forget_partners()
    cognito = sys.modules.get("chalicelib.adapters.cognito")
    if cognito is not None:
        cognito.reset()
    dynamo = sys.modules.get("chalicelib.adapters.dynamo")
    if dynamo is not None:
        dynamo.reset_connections()
