"""Delivery of notifications: the notification worker's logic, exactly once per
(case, event, recipient)."""
from __future__ import annotations

from datetime import datetime

from ..domain.notifications import Notification
from .ports import PoisonMessage


def deliver(n: Notification, *, now: datetime, claims, sender) -> str:
    try:
        subject, body = n.render()
    except (KeyError, ValueError) as exc:
        raise PoisonMessage(f"template {n.template}: {type(exc).__name__}") from None
    # Ordering: claim, then send. The claim is a conditional write on the dedup key,
    # so a redelivered message (or a second worker) finds it and sends nothing: at
    # most once. If the process dies after the claim and before the send, that one
    # notification is lost rather than sent twice; a claim without a send is visible
    # in the table (claimed_at) for the office. Only when the provider explicitly
    # refused the message, or could not be reached at all, is the claim released so
    # that the retry can send it; an ambiguous failure (a time-out after the request
    # left) keeps the claim, because the message may have gone out.
    if n.channel not in ("sms", "email"):
        raise PoisonMessage(f"no sender for channel {n.channel}")
    if not claims.claim(n.dedup_key, n.channel, n.template, now):
        return "duplicate"
    try:
        if n.channel == "sms":
            sender.send_sms(n.recipient, body)
        else:
            sender.send_email(n.recipient, subject, body)
    except Exception as exc:
        if sender.surely_not_sent(exc):
            claims.release(n.dedup_key)
        raise
    return "sent"
