"""Data-subject requests (KVKK art. 11 and 13): a person asks what is held about them,
for a copy, a correction or an erasure; the office answers within 30 days. Pure."""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from .numbers import ALPHABET

ANSWER_DAYS = 30          # KVKK art. 13/2: at the latest within thirty days
WARN_DAYS = 5             # the office is reminded this many days before the last day

KINDS = {"info": "Hangi kişisel verilerinin işlendiğini öğrenme", "copy": "Verilerin bir örneğini isteme",
         "correction": "Eksik ya da yanlış verilerin düzeltilmesi", "erasure": "Verilerin silinmesi ya da yok edilmesi"}
CHANNELS = {"in_person": "Şahsen, büroda", "letter": "Yazılı dilekçe", "kep": "Kayıtlı elektronik posta (KEP)",
            "email": "Sistemde kayıtlı e-posta"}
CORRECTABLE = {"first_name": "Ad", "last_name": "Soyad", "address": "Adres", "phone": "Cep telefonu",
               "email": "E-posta"}


@dataclass
class SubjectRequest:
    id: str
    district: str
    national_id: str
    kind: str
    channel: str
    received_on: date
    registered_by: str
    registered_at: datetime
    status: str = "open"                 # open | closed
    answer: str | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None
    warned: bool = False
    log: list[dict] = field(default_factory=list)   # what was done for it: lookups, copies, corrections, erasures
    version: int | None = None

    @property
    def due_on(self) -> date:
        return self.received_on + timedelta(days=ANSWER_DAYS)

    @property
    def warn_on(self) -> date:
        return self.due_on - timedelta(days=WARN_DAYS)


def new_id() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(8))


def format_id(raw: str) -> str:
    return f"KVKK-{raw[:4]}-{raw[4:]}"


def parse_id(text: str) -> str | None:
    value = (text or "").upper().replace("KVKK", "").replace("-", "").replace(" ", "")
    return value if len(value) == 8 and all(c in ALPHABET for c in value) else None


def erasure_refusal(case) -> tuple[str, str] | None:
    """(code, Turkish reason) when a case's data may not be erased early, else None:
    an open case is being processed (3071/4982), and a file that went to institutions is
    an official record the archive rules keep (KVKK art. 5/2-ç)."""
    if not case.closed:
        return ("open_case", "Başvuru hâlâ işlemde: sonuçlanmamış bir başvurunun verileri, başvurunun 3071 ve 4982 "
                             "sayılı Kanunlara göre cevaplanabilmesi için gereklidir; silinemez.")
    if case.forwards or case.institutions:
        return ("legal_obligation", "Başvuru kurumlara iletilmiş: dosya resmî kayıttır ve saklama süresi boyunca "
                                    "(KVKK m. 5/2-ç, Standart Dosya Planı) saklanmak zorundadır; süre sonunda imha edilir.")
    if case.legal_hold:
        return ("legal_hold", "Başvuru yasal saklama altında (itiraz, dava ya da inceleme); saklama kaldırılmadan "
                              "silinemez.")
    return None
