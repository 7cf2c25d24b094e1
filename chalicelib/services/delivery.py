"""Delivery of notifications: the notification worker's logic, exactly once per
(case, event, recipient). Each channel's send is its delivery method's
(services/delivery_methods); the citizen's and the office's SMS and e-mail are the
built-in channels."""
from __future__ import annotations

from datetime import datetime

from ..domain.calendar import local_date
from ..domain.notifications import (
    SMS_PER_PHONE_PER_DAY,
    Notification,
    case_of,
    spends_sms_budget,
)
from ..domain.otp import phone_fingerprint
from ..domain.retention import kept_for
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


def within_budget(n: Notification, *, now: datetime, claims, keys) -> bool:
    """An SMS the applicant did not ask for at that moment spends one unit of the phone's
    budget for the İstanbul day (domain/notifications.SMS_PER_PHONE_PER_DAY); a redelivery
    spends nothing more. Beyond it the message is held, and the office sees it on the case."""
    if not spends_sms_budget(n):
        return True
    budget = f"sms#{phone_fingerprint(keys, n.recipient)}#{local_date(now).toordinal()}"
    if claims.spend(budget, n.dedup_key, SMS_PER_PHONE_PER_DAY, now + kept_for("sms_budget")):
        return True
    no = case_of(n.dedup_key)
    if no is not None:
        claims.hold(no, n.dedup_key, n.channel, n.template, now)
    return False


def deliver(n: Notification, *, now: datetime, claims, senders, keys) -> str:
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
    if not within_budget(n, now=now, claims=claims, keys=keys):
        return "held"            # claimed, never sent: a redelivery finds the claim
    try:
        send(senders, keys, n, subject, body)
    except Exception as exc:
        if senders.surely_not_sent(exc):
            claims.release(n.dedup_key)
        raise
    return "sent"
