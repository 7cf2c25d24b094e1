"""Delivery of notifications: the notification worker's logic, exactly once per
(case, event, recipient). Each channel's send is its delivery method's
(services/delivery_methods); the citizen's and the office's SMS and e-mail are the
built-in channels."""
from __future__ import annotations

from datetime import datetime

from ..domain.notifications import Notification
from . import delivery_methods
from .ports import PoisonMessage, Ports


def _sms(senders, keys, n: Notification, subject: str | None, body: str) -> None:
    senders.send_sms(n.recipient, body)


def _email(senders, keys, n: Notification, subject: str | None, body: str) -> None:
    senders.send_email(n.recipient, subject or "", body)


SENDS = {"sms": _sms, "email": _email,
         **{channel: m.send for channel, m in delivery_methods.channels().items() if channel not in ("sms", "email")}}


def deliver_message(ports: Ports, message: dict) -> str:
    """A notification message as the worker receives it: unsealed, then delivered."""
    return deliver(ports.publisher.opened(message), now=ports.clock.now(), claims=ports.claims,
                   senders=ports.senders, keys=ports.keys)


def deliver(n: Notification, *, now: datetime, claims, senders, keys=None) -> str:
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
    send = SENDS.get(n.channel)
    if send is None:
        raise PoisonMessage(f"no sender for channel {n.channel}")
    if not claims.claim(n.dedup_key, n.channel, n.template, now):
        return "duplicate"
    try:
        send(senders, keys, n, subject, body)
    except Exception as exc:
        if senders.surely_not_sent(exc):
            claims.release(n.dedup_key)
        raise
    return "sent"
