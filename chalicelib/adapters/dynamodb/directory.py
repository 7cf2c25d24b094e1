"""The `StaffDirectory` port on DynamoDB: one `STAFF#` item per user, written by admins."""
from __future__ import annotations

from ...domain.principal import StaffMember
from ...services.ports import StaleCase
from . import itemkeys as K
from . import mapping as M
from .base import conditional_put
from .models import StaffItem


class DynamoStaffDirectory:
    def get(self, username: str) -> StaffMember | None:
        try:
            return M.staff_from_item(StaffItem.get(*K.staff_key(username), consistent_read=True))
        except StaffItem.DoesNotExist:
            return None

    def save(self, member: StaffMember) -> None:
        item = M.staff_to_item(member)
        if not conditional_put(item):
            raise StaleCase()
        member.version = item.version

    def members(self, scope: str, limit: int = 500) -> list[StaffMember]:
        return [M.staff_from_item(i) for i in StaffItem.by_scope.query(scope, limit=limit)]
