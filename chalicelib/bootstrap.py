"""The composition root: the one place that chooses and builds the adapters.

Every blueprint and every worker in app.py takes its ports from `ports()`. Each
adapter is built on first use and kept for the life of the container (the Chalice
todo-app's lazy clients); a health check builds none. The caches of the services live
on the ports object (`Ports.caches`), and the AWS clients on the `AwsClients` built
here: `reset()` builds both anew, so nothing is cleared by reaching into modules.
Tests call `override(...)` with fakes, and `reset()` after changing the environment.
"""
from __future__ import annotations

import threading
from datetime import datetime, timezone

from .config import settings
from .services.ports import Caches, Ports

_lock = threading.RLock()
_ports: Ports | None = None


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class _LazyPorts(Ports):
    """Ports whose adapters are imported and built when a service first touches them."""

    def __init__(self):  # noqa: D107 - the dataclass fields are properties here
        self._built: dict = {}
        self.caches = Caches()

    def _get(self, name: str, build):
        if name not in self._built:
            with _lock:
                if name not in self._built:
                    self._built[name] = build()
        return self._built[name]

    @property
    def keys(self):  # type: ignore[override]
        from .adapters.secrets import ConfiguredKeys
        return self._get("keys", ConfiguredKeys)

    @property
    def cases(self):  # type: ignore[override]
        from .adapters.archive import S3CaseArchive
        from .adapters.dynamodb.cases import DynamoCases
        return self._get("cases", lambda: DynamoCases(self.keys, S3CaseArchive(settings().attachments_bucket)))

    @property
    def directory(self):  # type: ignore[override]
        from .adapters.dynamodb.directory import DynamoStaffDirectory
        return self._get("directory", DynamoStaffDirectory)

    @property
    def partners(self):  # type: ignore[override]
        from .adapters.dynamodb.partners import DynamoPartnerKeys
        return self._get("partners", DynamoPartnerKeys)

    @property
    def phone_codes(self):  # type: ignore[override]
        from .adapters.dynamodb.phone_codes import DynamoPhoneCodes
        return self._get("phone_codes", DynamoPhoneCodes)

    @property
    def subject_requests(self):  # type: ignore[override]
        from .adapters.dynamodb.subject_requests import DynamoSubjectRequests
        return self._get("subject_requests", lambda: DynamoSubjectRequests(self.keys))

    @property
    def statistics(self):  # type: ignore[override]
        from .adapters.dynamodb.statistics import DynamoStatistics
        return self._get("statistics", DynamoStatistics)

    @property
    def reference(self):  # type: ignore[override]
        from .adapters.dynamodb.reference import DynamoReferenceData
        return self._get("reference", DynamoReferenceData)

    @property
    def counters(self):  # type: ignore[override]
        from .adapters.dynamodb.counters import DynamoCounters
        return self._get("counters", DynamoCounters)

    @property
    def audit(self):  # type: ignore[override]
        from .adapters.dynamodb.audit import DynamoAuditLog
        return self._get("audit", DynamoAuditLog)

    @property
    def claims(self):  # type: ignore[override]
        from .adapters.dynamodb.claims import DynamoNotificationClaims
        return self._get("claims", DynamoNotificationClaims)

    @property
    def senders(self):  # type: ignore[override]
        from .adapters.senders import AwsSenders
        return self._get("senders", AwsSenders)

    @property
    def publisher(self):  # type: ignore[override]
        from .adapters.publisher import SqsPublisher
        return self._get("publisher", lambda: SqsPublisher(settings().routing_queue_url,
                                                           settings().notification_queue_url, self.keys))

    @property
    def storage(self):  # type: ignore[override]
        from .adapters.storage import CloudFrontDownloads, S3Storage
        return self._get("storage", lambda: S3Storage(settings().attachments_bucket,
                                                      downloads=CloudFrontDownloads.configured(settings())))

    @property
    def identity(self):  # type: ignore[override]
        from .adapters.cognito import CognitoStaffIdentity
        return self._get("identity", CognitoStaffIdentity)

    @property
    def clock(self):  # type: ignore[override]
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
    """After the environment changed (tests, the local stack): settings are read again,
    and new AWS clients and new ports (with empty caches) are built on first use."""
    settings.cache_clear()
    from .adapters import aws
    aws.use(aws.AwsClients())
    override(None)


def unavailable(exc: BaseException) -> bool:
    """True when `exc` is a backend that could not be reached or did not answer in time
    (the API answers 503), as the adapters judge it."""
    from .adapters.aws import unavailable as judged
    return judged(exc)
