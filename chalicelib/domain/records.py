"""Small records the services exchange with the store besides cases and assignments."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class AuditEntry:
    """Who viewed, changed or exported what, when and from where. `subject` is the
    application number (or another audited thing, e.g. `DISTRICT-34-maltepe`)."""
    subject: str
    actor: str
    role: str
    action: str
    at: datetime
    source_ip: str | None = None
    detail: dict = field(default_factory=dict)


@dataclass(frozen=True)
class IdempotencyRecord:
    """The answer given to the first request with an Idempotency-Key, sealed."""
    key: str                # sha256 of the client's key
    request_hash: str
    status_code: int
    response_sealed: str
    expires_at: datetime

    def in_force(self, at: datetime) -> bool:
        """The key is held up to its expiry's last instant; after that it is spent, whether
        TTL has deleted the record yet or not (DynamoDB can take days; moto never does)."""
        return at <= self.expires_at


@dataclass(frozen=True)
class Counter:
    """A throttle counter: `scope` (what is counted), `subject` (whose), `window` (which
    fixed time window)."""
    scope: str
    subject: str
    window: int


@dataclass(frozen=True)
class PendingRoute:
    """A case that has not been routed yet (still `received` past its re-route time)."""
    application_no: str
    district: str


@dataclass(frozen=True)
class SurveyAnswer:
    """A satisfaction answer: statistics only, no personal data."""
    application_no: str
    rating: int
    comment: str | None
    district: str
    category: str
    outcome: str | None
    answered_on: str
    type: str | None = None
