"""Notifications: Turkish templates kept as data, rendered here; one dedup key per
(case, event, recipient) so that each has exactly one effect."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .numbers import normalise_application_no

_TEMPLATES = Path(__file__).resolve().parent.parent / "data" / "templates.json"


# Every control character (C0, DEL, C1) and the Unicode line and paragraph separators:
# none may reach a mail header, where a CR/LF would start a header of its own.
_HEADER_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def header_safe(value: str) -> str:
    return " ".join(_HEADER_UNSAFE.sub(" ", value).split())


# What a reader sees for an outcome code (the web client has the same words, web/js/api.js).
OUTCOME_NAMES = {"positive": "olumlu", "negative": "olumsuz", "informed": "bilgi verildi / başka yola yönlendirildi",
                 "not_competent": "görev alanı dışında", "referred": "yetkili mercie gönderildi"}


_BACK, _FRONT, _VOWELS = "aıou", "eiöü", "aıoueiöüâîû"


def dative(name: str) -> str:
    """An institution's name in the dative case: "Maltepe Belediye Başkanlığı" ->
    "Maltepe Belediye Başkanlığına", "İlçe Milli Eğitim Müdürlüğü" -> "…Müdürlüğüne".
    Official names end in a possessive vowel: the buffer n and the harmony of the last
    vowel (a after a back vowel, e after a front one). A name that ends otherwise (an
    abbreviation, whose dative follows how it is read) keeps "X kurumuna"."""
    word = name.rstrip()
    last = word[-1:].lower()
    if not word or last not in _VOWELS:
        return f"{name} kurumuna"
    vowels = [c for c in word.lower() if c in _VOWELS]
    harmony = "a" if vowels[-1] in _BACK + "âû" else "e"
    return f"{word}n{harmony}"


def institutions_phrase(names: list[str]) -> str:
    """Where a case went, in Turkish: "Maltepe Belediye Başkanlığına" for one; "A, B ve C
    Müdürlüğüne" for several (the case ending on the last name only, as Turkish has it)."""
    if not names:
        return "ilgili kurumlara"
    if len(names) == 1:
        return dative(names[0])
    return f"{', '.join(names[:-1])} ve {dative(names[-1])}"


@lru_cache(maxsize=1)
def templates() -> dict:
    return json.loads(_TEMPLATES.read_text("utf-8"))


@dataclass(frozen=True)
class Notification:
    dedup_key: str           # (case, event, recipient): the unit of "exactly once"
    channel: str             # "sms" | "email"
    template: str
    recipient: str           # phone (+905…) or e-mail address
    params: dict

    def render(self) -> tuple[str | None, str]:
        """(subject, body): Turkish text from the templates for SMS and e-mail (subject None
        for SMS); for a machine channel (a webhook), the event and its parameters as JSON."""
        if self.channel not in ("sms", "email"):
            return None, json.dumps({"event": self.template, **self.params}, ensure_ascii=False, sort_keys=True)
        t = templates()[self.channel][self.template]
        subject = header_safe(t["subject"].format_map(self.params)) if self.channel == "email" else None
        return subject, t["body"].format_map(self.params)


def dedup_key(application_no: str, event: str, recipient_role: str) -> str:
    return f"{application_no}:{event}:{recipient_role}"


# Every SMS the citizen did not ask for at that moment (a receipt, "forwarded", "concluded",
# a reminder…) spends one per-phone daily budget, so that the platform cannot be used to
# flood someone else's phone: 20 applications with one phone and random national ids sent
# 25 SMS to it when only receipts were counted. A code the person just asked for is not
# unsolicited; it has its own caps (domain/otp.py). Beyond the budget a message is held,
# not sent, and the office sees it on the case.
SMS_PER_PHONE_PER_DAY = 10
SOLICITED_SMS = frozenset({"otp"})
# what the office reads of an SMS that was held
SMS_NAMES = {"receipt": "Alındı bildirimi", "forwarded": "Kuruma iletildi bildirimi",
             "information_requested": "Ek bilgi isteği", "interim_answer": "Ara cevap", "merged": "Birleştirme bildirimi",
             "not_processed": "İşleme alınmadı bildirimi", "concluded": "Sonuç bildirimi",
             "extended": "Süre uzatımı bildirimi", "referred": "Yetkili mercie gönderildi bildirimi"}


def spends_sms_budget(n: Notification) -> bool:
    return n.channel == "sms" and n.template not in SOLICITED_SMS


def case_of(dedup: str) -> str | None:
    """The application number a notification is about ("<no>:<event>:<role>"), if any."""
    head, sep, _ = dedup.partition(":")
    return normalise_application_no(head) if sep else None
