"""The `NotificationClaims` port on DynamoDB: the claim that makes a notification happen
once, a conditional write on its dedup key before the send (services/delivery.py)."""
from __future__ import annotations

from datetime import datetime

from ...domain.retention import kept_for
from . import itemkeys as K
from .base import conditional_put
from .models import NotificationItem


class DynamoNotificationClaims:
    def claim(self, dedup_key: str, channel: str, template: str, now: datetime) -> bool:
        """One conditional write. False when this notification was claimed before."""
        item = NotificationItem(*K.notification_key(dedup_key), channel=channel, template=template,
                                claimed_at=now.isoformat(), expires_at=now + kept_for("notification_claim"))
        return conditional_put(item, NotificationItem.pk.does_not_exist())

    def release(self, dedup_key: str) -> None:
        NotificationItem(*K.notification_key(dedup_key)).delete()
