"""Notification messages: built by the services, carried by the notification queue,
delivered by the notification worker exactly once per (case, event, recipient).

A queue message carries no personal data in clear: the recipient and the template
parameters are sealed with AES-GCM, bound to the dedup key.
"""
from __future__ import annotations

import json
from datetime import date, datetime

from .. import security
from ..config import settings
from ..domain.notifications import Notification


class PoisonMessage(ValueError):
    """A message that can never succeed; it goes to the DLQ after its receives."""


def to_message(n: Notification) -> dict:
    payload = json.dumps({"recipient": n.recipient, "params": n.params}, ensure_ascii=False)
    return {"type": "notify", "version": 1, "dedup_key": n.dedup_key, "channel": n.channel,
            "template": n.template, "payload": security.encrypt(payload, n.dedup_key)}


def from_message(msg: dict) -> Notification:
    try:
        if msg.get("type") != "notify" or msg.get("channel") not in ("sms", "email"):
            raise PoisonMessage("not a notification")
        payload = json.loads(security.decrypt(msg["payload"], msg["dedup_key"]))
        return Notification(msg["dedup_key"], msg["channel"], msg["template"], payload["recipient"],
                            payload["params"])
    except PoisonMessage:
        raise
    except Exception as exc:  # noqa: BLE001 - any malformed field makes it poison
        raise PoisonMessage(type(exc).__name__) from None


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


def publish(notifications: list[Notification], *, queue=None) -> None:
    """SendMessageBatch: one call per ten notifications."""
    if not notifications:
        return
    from ..adapters import queues
    (queue or queues).send_batch(settings().notification_queue_url, [to_message(n) for n in notifications])


def deliver(msg: dict, *, now: datetime, claims, sender) -> str:
    n = from_message(msg)
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
        if _surely_not_sent(exc):
            claims.release(n.dedup_key)
        raise
    return "sent"


def _surely_not_sent(exc: Exception) -> bool:
    from botocore.exceptions import ClientError, EndpointConnectionError
    return isinstance(exc, (ClientError, EndpointConnectionError))


def tr_date(d: date) -> str:
    return d.strftime("%d.%m.%Y")
