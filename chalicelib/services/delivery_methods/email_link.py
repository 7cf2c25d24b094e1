"""`email_link`: an e-mail to the institution's liaison officer with a signed link, through
which the institution reads and answers without an account."""
from __future__ import annotations

from ...domain import numbers
from ...domain.notifications import Notification, dedup_key
from .. import links

NAME = "email_link"
LABEL = "E-posta ile imzalı bağlantı"
CHANNEL = "email"


def address_problem(institution) -> str | None:
    if not institution.liaison_email:
        return "Bu gönderim yolu için irtibat e-posta adresi gereklidir."
    return None


def notification(keys, case_no: str, a, kind: str, event: str, params: dict) -> Notification:
    return Notification(dedup_key(case_no, event, a.institution.id), CHANNEL, f"institution_{kind}",
                        a.institution.liaison_email,
                        {"application_no": numbers.format_application_no(case_no),
                         "link": links.institution_link(keys, a), **params})


def send(senders, keys, n: Notification, subject: str | None, body: str) -> None:
    senders.send_email(n.recipient, subject or "", body)
