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

from .calendar import ISTANBUL, local_date
from .case import Applicant, HistoryEntry
from .catalog import catalog
from .errors import AppError
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


def destruction_log_expiry(at: datetime) -> datetime:
    """When a destruction-log entry may go: at least 3 full years after the destruction
    (regulation art. 7/3), so at the end of the İstanbul day 3 years after it, never at
    midnight UTC of that date (which would fall hours short of 3 years)."""
    day = add_years(local_date(at), destruction_log_years()) + timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=ISTANBUL)


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


# Tiering (a cost rule, not a legal one): a case closed for a year is rarely read again, so
# its file leaves the database for a compressed object in the archive store and only a small
# index item stays behind; it comes back when someone writes to it. Retention is unchanged:
# an archived case is destroyed on the same day as any other (docs/performance.md).
ARCHIVE_AFTER_YEARS = 1


def archive_from(closed_on: date) -> date:
    """The first day a case closed on `closed_on` may be archived."""
    return add_years(closed_on, ARCHIVE_AFTER_YEARS)


def archivable(case, assignments: list, today: date, *, years: int = DEFAULT_YEARS) -> bool:
    """Whether the case's file may move to the archive today: closed a year ago or more,
    with nothing left open (no assignment waiting, no legal hold) and not due for
    destruction (that comes first, and an anonymised file stays where it is)."""
    if not case.closed or case.closed_at is None or case.anonymised_at is not None or case.legal_hold:
        return False
    if any(a.is_open for a in assignments):
        return False
    closed_on = local_date(case.closed_at)
    return today >= archive_from(closed_on) and not due(closed_on, today, years=years)


def archive_horizon(today: date, years: int = DEFAULT_YEARS) -> date:
    """The latest retention end a case that may be archived today can have: the
    destruction sweep's slots up to this day hold every closed case a year old or more
    (one day more for a 29 February), and no case closed within the year."""
    return add_years(today, years - ARCHIVE_AFTER_YEARS) + timedelta(days=1)


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


def _actor(actor: str | None) -> str:
    """Who acted, as a structured fact: the system, the applicant, an institution by its
    id, or a member of staff (the audit trail keeps which one)."""
    if actor in (None, "system", "citizen") or (actor or "").startswith("institution:"):
        return actor or "system"
    return "staff"


# what an anonymised record keeps of a note, a referral, a final answer, a repeat mark
_STRUCTURED_NOTE_KEYS = ("at", "kind")
_STRUCTURED_REFERRAL_KEYS = ("ground", "source", "institution_id", "authority", "at")
_STRUCTURED_FINAL_KEYS = ("n", "at", "outcome")
_STRUCTURED_REPEAT_KEYS = ("of", "score", "at")


def _keep(record: dict, keys: tuple[str, ...]) -> dict:
    return {k: record[k] for k in keys if k in record}


def anonymise(case, assignments: list, at: datetime, *, rule_name: str = "case") -> tuple[list[Destroyed], list[str]]:
    """Irreversibly removes a closed case's personal data, in place. Anonymised means that
    nothing written by or about a person remains (KVKK art. 3 and 7; docs/kvkk.md): every
    free-text field goes, whoever wrote it (the applicant's subject and description, the
    office's notes, history notes and final answers, the institutions' answers, redirects
    and the names of who answered), and so do the applicant block, the location and place, the
    citizen's replies, the files and the access code hash (the national-id HMAC goes with
    the applicant: the store writes no applicant index for an anonymised case). What
    stays are structured facts: type, category, district, dates, statuses and events,
    the outcome code, the not-processed ground, institution ids and names, durations.

    Returns the destruction log entries and the storage keys of the attachments to delete."""
    subject = catalog().subjects.get(case.category)
    case.applicant = Applicant("", "", "", "", "", None)
    case.description = ERASED
    case.subject = subject.name if subject else case.category
    case.location = None
    case.place = None
    case.geocell = None
    case.text_sketch = None
    case.access_code_hash = ERASED
    case.media_url = None
    case.review_reason = None
    case.final_answer = None
    case.legal_remedies = None
    case.notes = [_keep(n, _STRUCTURED_NOTE_KEYS) for n in case.notes]
    case.history = [HistoryEntry(h.at, h.status, None, h.public, _actor(h.actor), h.event) for h in case.history]
    if case.possible_repeat:
        case.possible_repeat = _keep(case.possible_repeat, _STRUCTURED_REPEAT_KEYS)
    if case.referral:
        case.referral = _keep(case.referral, _STRUCTURED_REFERRAL_KEYS)
    case.anonymised_at = at
    destroyed = [Destroyed("case", case.application_no, rule_name)]
    keys: list[str] = [f["key"] for f in case.citizen_files if f.get("key")]
    destroyed += [Destroyed("attachment", f.get("id", ""), "attachments") for f in case.citizen_files]
    case.citizen_files = []
    case.final_answers = [_keep(x, _STRUCTURED_FINAL_KEYS) for x in case.final_answers]
    for a in assignments:
        a.subject = case.subject
        a.notes = [_keep(n, _STRUCTURED_NOTE_KEYS) for n in a.notes]
        a.redirect = None
        for answer in a.answers:
            answer.text = answer.responder_name = answer.responder_title = ERASED
            answer.returned_note = None
            for att in answer.attachments:
                if att.get("key"):
                    keys.append(att["key"])
                destroyed.append(Destroyed("attachment", att.get("id", ""), "attachments"))
            answer.attachments = []      # deleted from storage; the destruction log names them
        a.contact_shared = None if a.contact_shared is None else {"at": a.contact_shared.get("at"), "erased": True}
    return destroyed, keys


def free_text(case, assignments: list) -> list[str]:
    """The fields of a case and its assignments that still hold something a person wrote
    or that names a person: empty for an anonymised case. The subject may stay only as
    the catalogue's name of the category, which nobody wrote."""
    found: list[str] = []
    subject = catalog().subjects.get(case.category)
    allowed_subject = subject.name if subject else case.category
    a = case.applicant
    for name in ("national_id", "first_name", "last_name", "phone", "address", "email"):
        if getattr(a, name):
            found.append(f"applicant.{name}")
    for name in ("description", "access_code_hash", "final_answer", "legal_remedies", "review_reason",
                 "media_url", "text_sketch", "geocell"):
        if getattr(case, name):
            found.append(name)
    if case.subject != allowed_subject:
        found.append("subject")
    if case.location:
        found.append("location")
    if case.place:
        found.append("place")
    if case.citizen_files:
        found.append("citizen_files")
    found += [f"notes[{i}]" for i, n in enumerate(case.notes) if set(n) - set(_STRUCTURED_NOTE_KEYS)]
    found += [f"history[{i}].note" for i, h in enumerate(case.history) if h.note]
    found += [f"history[{i}].actor" for i, h in enumerate(case.history) if h.actor != _actor(h.actor)]
    found += [f"final_answers[{i}]" for i, x in enumerate(case.final_answers) if set(x) - set(_STRUCTURED_FINAL_KEYS)]
    if case.referral and set(case.referral) - set(_STRUCTURED_REFERRAL_KEYS):
        found.append("referral")
    if case.possible_repeat and set(case.possible_repeat) - {"of", "score", "at"}:
        found.append("possible_repeat")
    for x in assignments:
        where = f"assignment[{x.institution.id}]"
        if x.subject and x.subject != allowed_subject:
            found.append(f"{where}.subject")
        found += [f"{where}.notes[{i}]" for i, n in enumerate(x.notes) if set(n) - set(_STRUCTURED_NOTE_KEYS)]
        if x.redirect:
            found.append(f"{where}.redirect")
        if x.contact_shared and set(x.contact_shared) - {"at", "erased"}:
            found.append(f"{where}.contact_shared")
        for i, answer in enumerate(x.answers):
            for name in ("text", "responder_name", "responder_title", "returned_note"):
                if getattr(answer, name):
                    found.append(f"{where}.answers[{i}].{name}")
            if answer.attachments:
                found.append(f"{where}.answers[{i}].attachments")
    return found


def check_final_answer(text: str) -> None:
    """A final answer goes to the applicant through a link and is shown to whoever reads
    the case: it must not carry a national id or a phone number (docs/kvkk.md)."""
    found = personal_data_in(text)
    if found:
        names = {"national_id": "T.C. kimlik numarası", "phone": "telefon numarası"}
        raise AppError("personal_data_in_answer",
                       f"Gerekçeli cevapta {' ve '.join(names[f] for f in found)} var; çıkarınız. Son cevap, dosyayı "
                       "okuyan herkese gösterilir; kimlik ya da telefon numarası yazılmaz.",
                       field="answer", status=422)
