"""The `NotificationClaims` port on DynamoDB: the claim that makes a notification happen
once, a conditional write on its dedup key before the send (services/delivery.py)."""
from __future__ import annotations

from datetime import datetime

from ...domain.retention import kept_for
from . import itemkeys as K
from .base import conditional_put
from .counters import claim_member
from .models import HeldNotificationItem, NotificationItem


class DynamoNotificationClaims:
    def claim(self, dedup_key: str, channel: str, template: str, now: datetime) -> bool:
        """One conditional write. False when this notification was claimed before."""
        item = NotificationItem(*K.notification_key(dedup_key), channel=channel, template=template,
                                claimed_at=now.isoformat(), expires_at=now + kept_for("notification_claim"))
        return conditional_put(item, NotificationItem.pk.does_not_exist())

    def release(self, dedup_key: str) -> None:
        NotificationItem(*K.notification_key(dedup_key)).delete()

    def spend(self, budget: str, member: str, limit: int, expires_at: datetime) -> bool:
        return claim_member(K.budget_key(budget), member, limit, expires_at)

    def hold(self, application_no: str, dedup_key: str, channel: str, template: str, at: datetime) -> None:
        item = HeldNotificationItem(*K.held_key(application_no, dedup_key), channel=channel, template=template,
                                    at=at.isoformat(), expires_at=at + kept_for("held_notification"))
        conditional_put(item, HeldNotificationItem.pk.does_not_exist())

    def held(self, application_no: str) -> list[dict]:
        pk, _ = K.held_key(application_no, "")
        return sorted(({"dedup_key": i.sk, "channel": i.channel, "template": i.template, "at": i.at}
                       for i in HeldNotificationItem.query(pk)), key=lambda h: h["at"])
