"""`webhook`: a signed JSON POST to the institution's own system (its document or ticket
system), for institutions that take work in bulk rather than by e-mail.

The body carries the event, the application number, the same signed link an e-mail
would (the institution's system reads and answers the case through the link API) and
the event's facts; never the applicant's personal data. The `X-AcikKapi-Signature`
header is an HMAC-SHA256 of the body under the institution's webhook secret
(`links.webhook_secret`), which an administrator reads once from the institution's
screen to configure the receiving system; `Idempotency-Key` is the notification's
dedup key, so a receiver that sees a message twice can tell.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
from urllib.parse import urlsplit

from ...domain import numbers
from ...domain.notifications import Notification, dedup_key
from .. import links

NAME = "webhook"
LABEL = "Kurumun kendi sistemi (HTTPS webhook)"
CHANNEL = "webhook"


def address_problem(institution) -> str | None:
    url = institution.endpoint or ""
    parts = urlsplit(url)
    if not url:
        return "Bu gönderim yolu için kurum sisteminin HTTPS adresi gereklidir."
    if parts.scheme != "https" or not parts.hostname or parts.username or parts.password:
        return "Adres, kullanıcı bilgisi içermeyen bir https:// adresi olmalıdır."
    try:
        ipaddress.ip_address(parts.hostname)
        return "Adres bir IP numarası değil, kurumun alan adı olmalıdır."
    except ValueError:
        pass
    if parts.hostname == "localhost" or "." not in parts.hostname:
        return "Adres, kurumun alan adı olmalıdır."
    return None


def notification(keys, case_no: str, a, kind: str, event: str, params: dict) -> Notification:
    return Notification(dedup_key(case_no, event, a.institution.id), CHANNEL, f"institution_{kind}",
                        a.institution.endpoint or "",
                        {"application_no": numbers.format_application_no(case_no), "institution_id": a.institution.id,
                         "link": links.institution_link(keys, a), **params})


def signature(keys, institution_id: str, body: bytes) -> str:
    """The body's HMAC-SHA256 under the institution's webhook secret."""
    secret = links.webhook_secret(keys, institution_id)
    return "sha256=" + hmac.new(secret.encode("ascii"), body, hashlib.sha256).hexdigest()


def send(senders, keys, n: Notification, subject: str | None, body: str) -> None:
    raw = body.encode("utf-8")
    senders.post_webhook(n.recipient, raw, {
        "X-AcikKapi-Event": n.template, "Idempotency-Key": n.dedup_key,
        "X-AcikKapi-Signature": signature(keys, n.params["institution_id"], raw)})
