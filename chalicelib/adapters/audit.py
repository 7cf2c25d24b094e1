"""The append-only audit trail: who viewed, changed or exported which case, when, from
where. Functions may only PutItem and Query this table (see the IAM policy); there is
no update or delete path in the code either."""
from __future__ import annotations

import secrets
from datetime import datetime

from .dynamo import AuditItem


def audit_item(no: str, *, actor: str, role: str, action: str, at: datetime, source_ip: str | None,
               detail: dict | None = None) -> AuditItem:
    return AuditItem(f"CASE#{no}", f"{at.isoformat()}#{secrets.token_hex(4)}", actor=actor, role=role,
                     action=action, source_ip=source_ip, detail=detail or {})


def record(no: str, **kwargs) -> None:
    audit_item(no, **kwargs).save(condition=AuditItem.pk.does_not_exist())


def trail(no: str) -> list[dict]:
    return [{"at": i.sk.split("#")[0], "actor": i.actor, "role": i.role, "action": i.action,
             "source_ip": i.source_ip, "detail": i.detail.as_dict() if i.detail else {}}
            for i in AuditItem.query(f"CASE#{no}")]
