"""The `AuditLog` port on DynamoDB: the append-only audit trail. Functions may only
PutItem and Query the audit table (see the IAM policy); there is no update or delete
path in the code either."""
from __future__ import annotations

from ...domain.audit import AuditEntry
from . import itemkeys as K
from . import mapping as M
from .models import AuditItem


class DynamoAuditLog:
    def record(self, entry: AuditEntry) -> None:
        M.audit_to_item(entry).save(condition=AuditItem.pk.does_not_exist())

    def trail(self, subject: str) -> list[dict]:
        return [M.audit_view(i) for i in AuditItem.query(K.audit_pk(subject))]
