"""A submission's Idempotency-Key, as the store keeps it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


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
