"""The `StaffDirectory` port on DynamoDB: one `STAFF#` item per user, written by admins."""
from __future__ import annotations

from ...domain.principal import StaffMember
from ...services.ports import StaleCase
from . import itemkeys as K
from .base import conditional_put
from .models import StaffItem


class DynamoStaffDirectory:
    def get(self, username: str) -> StaffMember | None:
        try:
            return staff_from_item(StaffItem.get(*K.staff_key(username), consistent_read=True))
        except StaffItem.DoesNotExist:
            return None

    def save(self, member: StaffMember) -> None:
        item = staff_to_item(member)
        if not conditional_put(item):
            raise StaleCase()
        member.version = item.version

    def members(self, scope: str, limit: int = 500) -> list[StaffMember]:
        return [staff_from_item(i) for i in StaffItem.by_scope.query(scope, limit=limit)]


def staff_to_item(m: StaffMember) -> StaffItem:
    item = StaffItem(*K.staff_key(m.username), username=m.username, role=m.role, district=m.district,
                     province=m.province, enabled=m.enabled, email=m.email, name=m.name,
                     gsi7pk=m.scope, gsi7sk=m.username.lower())
    if m.version is not None:
        item.version = m.version
    return item


def staff_from_item(item: StaffItem) -> StaffMember:
    return StaffMember(item.username, item.role, item.district, item.province, bool(item.enabled), item.version,
                       item.email, item.name)
