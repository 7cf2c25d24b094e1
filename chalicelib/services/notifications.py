"""Delivery of notifications: the notification worker's logic, exactly once per
(case, event, recipient)."""
from __future__ import annotations

from datetime import date, datetime

from ..domain.notifications import Notification
from .ports import PoisonMessage


def office_event(application_no: str, district: str, to: str, role: str, event: str, title: str,
                 detail: str) -> Notification:
    """An e-mail to the district office (role "office") or its supervisor about one case."""
    from ..domain import refs
    from ..domain.catalog import catalog
    from ..domain.notifications import dedup_key
    return Notification(dedup_key(application_no, event, role), "email", "office_event", to,
                        {"application_no": refs.format_application_no(application_no),
                         "district_name": catalog().districts[district].name,
                         "event_title": title, "detail": detail})


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


def tr_date(d: date) -> str:
    return d.strftime("%d.%m.%Y")
