"""What the local stack "sent": SES e-mails and SNS SMS, read from moto's in-process
backends (moto server mode has no HTTP view of SMS). Newest first."""
from __future__ import annotations

import re
import threading


def _email(m) -> dict:
    return {"id": m.id, "from": m.source, "to": m.destinations.get("ToAddresses", []),
            "subject": m.subject, "body": m.body, "links": re.findall(r"https?://\S+", m.body or "")}


def _sms(message_id, phone, text) -> dict:
    return {"id": message_id, "to": phone, "body": text, "links": re.findall(r"https?://\S+", text)}


def _sent():
    """Per moto backend: its e-mails and its SMS, each in the order sent (both only grow)."""
    from moto.ses.models import ses_backends
    from moto.sns.models import sns_backends
    for account in list(ses_backends.keys()):
        for region in list(ses_backends[account].keys()):
            backend = ses_backends[account][region]
            yield ("email", account, region), backend, list(getattr(backend, "sent_messages", []))
    for account in list(sns_backends.keys()):
        for region in list(sns_backends[account].keys()):
            backend = sns_backends[account][region]
            yield ("sms", account, region), backend, list(backend.sms_messages.items())


def _shaped(kind: str, raw: list) -> list[dict]:
    if kind == "email":
        return [_email(m) for m in raw if hasattr(m, "subject")]     # raw MIME mails have none
    return [_sms(message_id, phone, text) for message_id, (phone, text) in raw]


def collect() -> dict:
    out = {"email": [], "sms": []}
    for (kind, _, _), _, raw in _sent():
        out[kind] += _shaped(kind, raw)
    out["email"].reverse()
    out["sms"].reverse()
    return out


_handed_out: dict[tuple, tuple] = {}      # where -> (its backend, how many of its messages)
_handing = threading.Lock()


def drain_sent() -> dict:
    """The messages sent since the last call, oldest first, each handed out once: the state
    saver appends them to its log instead of re-reading the whole outbox on each save. A
    backend moto made anew (a reset) is read from its first message."""
    out = {"email": [], "sms": []}
    with _handing:
        for where, backend, raw in _sent():
            known, start = _handed_out.get(where, (None, 0))
            start = start if known is backend else 0
            _handed_out[where] = (backend, len(raw))
            out[where[0]] += _shaped(where[0], raw[start:])
    return out


def merge(live: dict, saved: dict) -> dict:
    """The live outbox followed by what was sent before a restart, each message once. The
    saver writes this merged view to disk, so the saved file already holds every message
    still live: adding it again would repeat them on each save (quadratic growth)."""
    merged = {}
    for kind in ("email", "sms"):
        seen = {m["id"] for m in live.get(kind, [])}
        merged[kind] = live.get(kind, []) + [m for m in saved.get(kind, []) if m["id"] not in seen]
    return merged
