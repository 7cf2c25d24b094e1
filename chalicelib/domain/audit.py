"""The audit trail's entries: who viewed, changed or exported what (KVKK)."""
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
