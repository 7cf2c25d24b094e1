"""Retention and destruction of personal data (KVKK; RG 28.10.2017/30224). Pure.

The policy is data (chalicelib/data/retention.json): for each kind of record, how long
its personal data is kept, from when, on which legal ground, and how it goes. A case
file's period counts from its closing (conclusion or not-processed) and is a deployment
parameter (RETENTION_YEARS, default 10), because the applicable archive code decides it.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from .errors import AppError

from .case import Applicant, HistoryEntry
from .catalog import catalog
from .identity import is_valid_national_id

_DATA = Path(__file__).resolve().parent.parent / "data" / "retention.json"
DEFAULT_YEARS = 10


@lru_cache(maxsize=1)
def policy() -> list[dict]:
    return json.loads(_DATA.read_text("utf-8"))["rules"]


def rule(record: str) -> dict:
    return next(r for r in policy() if r["record"] == record)


def kept_for(record: str) -> timedelta:
    """How long a record that expires by TTL is kept from its creation: the policy's
    minutes, hours or days, so that the code keeps what the published policy says."""
    r = rule(record)
    [(unit, amount)] = [(u, r[u]) for u in ("minutes", "hours", "days") if u in r]
    return timedelta(**{unit: amount})


def destruction_log_years() -> int:
    return int(rule("destruction_log")["years"])


def add_years(day: date, years: int) -> date:
    """The same calendar day `years` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def retention_end(closed_on: date | None, years: int = DEFAULT_YEARS) -> date | None:
    """The first day the case file's personal data may be destroyed: `years` after the
    closing day, counted in full. None while the case is open."""
    if closed_on is None:
        return None
    return add_years(closed_on, years)


def due(closed_on: date | None, today: date, *, years: int = DEFAULT_YEARS, held: bool = False,
        anonymised: bool = False) -> bool:
    end = retention_end(closed_on, years)
    return end is not None and today >= end and not held and not anonymised


@dataclass(frozen=True)
class Destroyed:
    """One entry of the destruction log: what went, under which rule. No personal data."""
    record: str          # case | attachment | survey | subject_request
    ref: str             # the application number, an attachment id, a request id
    rule: str


# A national id (11 digits) or a Turkish mobile number in free text the office writes
_NATIONAL_ID = re.compile(r"(?<!\d)[1-9]\d{10}(?!\d)")
_PHONE = re.compile(r"(?<!\d)(?:\+?90[\s.-]?|0)?5\d{2}[\s.-]?\d{3}[\s.-]?\d{2}[\s.-]?\d{2}(?!\d)")


def personal_data_in(text: str) -> list[str]:
    """What in a final answer looks like personal data that must not be there: it is
    kept after the applicant's data is destroyed (docs/kvkk.md)."""
    found = []
    if any(is_valid_national_id(m) for m in _NATIONAL_ID.findall(text or "")):
        found.append("national_id")
    if _PHONE.search(text or ""):
        found.append("phone")
    return found


ERASED = ""   # what an erased free-text field holds


def anonymise(case, assignments: list, at: datetime, *, rule_name: str = "case") -> tuple[list[Destroyed], list[str]]:
    """Irreversibly removes a closed case's personal data, in place: the applicant block,
    the description and subject, the location, the citizen's replies and the office's
    notes, internal history notes, the institutions' responder names and attachment file
    names, and the access code hash (the national-id HMAC goes with the applicant: the
    store writes no applicant index for an anonymised case). What stays: type, category,
    district, dates, statuses, outcome, institutions and the final answer.

    Returns the destruction log entries and the storage keys of the attachments to delete."""
    subject = catalog().subjects.get(case.category)
    case.applicant = Applicant("", "", "", "", "", None)
    case.description = ERASED
    case.subject = subject.name if subject else case.category
    case.location = None
    case.geocell = None
    case.text_sketch = None
    case.access_code_hash = ERASED
    case.media_url = None
    case.notes = [{"at": n.get("at"), "kind": n.get("kind"), "by": n.get("by")} for n in case.notes]
    case.history = [h if h.public else HistoryEntry(h.at, h.status, ERASED, False, h.actor, h.event)
                    for h in case.history]
    case.anonymised_at = at
    destroyed = [Destroyed("case", case.application_no, rule_name)]
    keys: list[str] = [f["key"] for f in case.citizen_files if f.get("key")]
    destroyed += [Destroyed("attachment", f.get("id", ""), "attachments") for f in case.citizen_files]
    case.citizen_files = []
    for answer in case.final_answers:      # the released copies point at files deleted below
        answer.pop("attachments", None)
    for a in assignments:
        a.subject = case.subject
        for answer in a.answers:
            answer.responder_name = ERASED
            for att in answer.attachments:
                if att.get("key"):
                    keys.append(att["key"])
                destroyed.append(Destroyed("attachment", att.get("id", ""), "attachments"))
            answer.attachments = []      # deleted from storage; the destruction log names them
        a.contact_shared = None if a.contact_shared is None else {"at": a.contact_shared.get("at"), "erased": True}
    return destroyed, keys


def check_final_answer(text: str) -> None:
    """A final answer outlives the applicant's data: it must not carry a national id or
    a phone number (docs/kvkk.md)."""
    found = personal_data_in(text)
    if found:
        names = {"national_id": "T.C. kimlik numarası", "phone": "telefon numarası"}
        raise AppError("personal_data_in_answer",
                       f"Gerekçeli cevapta {' ve '.join(names[f] for f in found)} var; çıkarınız. Son cevap, başvuru "
                       "sahibinin kişisel verileri saklama süresi sonunda imha edildikten sonra da saklanır.",
                       field="answer", status=422)
