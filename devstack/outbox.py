"""What the local stack "sent": SES e-mails and SNS SMS, read from moto's in-process
backends (moto server mode has no HTTP view of SMS). Newest first."""
from __future__ import annotations

import re


def collect() -> dict:
    from moto.ses.models import ses_backends
    from moto.sns.models import sns_backends

    emails, sms = [], []
    for account in list(ses_backends.keys()):
        for region in list(ses_backends[account].keys()):
            for m in list(getattr(ses_backends[account][region], "sent_messages", [])):
                if hasattr(m, "subject"):
                    emails.append({"id": m.id, "from": m.source, "to": m.destinations.get("ToAddresses", []),
                                   "subject": m.subject, "body": m.body,
                                   "links": re.findall(r"https?://\S+", m.body or "")})
    for account in list(sns_backends.keys()):
        for region in list(sns_backends[account].keys()):
            for message_id, (phone, text) in list(sns_backends[account][region].sms_messages.items()):
                sms.append({"id": message_id, "to": phone, "body": text,
                            "links": re.findall(r"https?://\S+", text)})
    emails.reverse()
    sms.reverse()
    return {"email": emails, "sms": sms}


def merge(live: dict, saved: dict) -> dict:
    """The live outbox followed by what was sent before a restart, each message once. The
    saver writes this merged view to disk, so the saved file already holds every message
    still live: adding it again would repeat them on each save (quadratic growth)."""
    merged = {}
    for kind in ("email", "sms"):
        seen = {m["id"] for m in live.get(kind, [])}
        merged[kind] = live.get(kind, []) + [m for m in saved.get(kind, []) if m["id"] not in seen]
    return merged
