"""Institution assignments: who is competent for a case, and by when they should answer."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from .calendar import DEFAULT_INSTITUTION_SLA_WORKING_DAYS, TurkishCalendar, local_date
from .case import HISTORY_NOTES, Status
from .catalog import Subject


class AssignmentStatus(StrEnum):
    SENT = "sent"
    ANSWERED = "answered"
    RETURNED = "returned"
    REDIRECTED = "redirected"
    OVERDUE = "overdue"
    CLOSED = "closed"        # the case closed before this institution answered
    REFERRED = "referred"    # the case was sent to this authority to decide (CMK 158/2, 3071 art. 5): it reads, owes us nothing


# An assignment still waiting for its institution: only these get reminders, links
# that answer, and a place in the SLA.
OPEN_STATUSES = frozenset({AssignmentStatus.SENT, AssignmentStatus.RETURNED, AssignmentStatus.OVERDUE})


@dataclass(frozen=True)
class Institution:
    id: str
    kind: str
    name: str
    liaison_email: str | None
    sla_days: int | None = None
    send_method: str = "email_link"  # how assignments reach it: services/delivery_methods
    endpoint: str | None = None      # the address of its own system, for a method that posts to one
    # a liaison address is unknown until an office confirms it: nothing is forwarded to an
    # unconfirmed one (it would go to an unread mailbox); the registry generates them so
    confirmed: bool = True
    detsis: str | None = None        # the institution's DETSİS number, when known
    active: bool = True              # a disabled institution stays on old cases, gets nothing new
    # one daily digest with the inbox link instead of a reminder per case (an institution
    # with many open assignments chooses it); the inbox link's generation (a new one revokes)
    inbox_digest: bool = False
    inbox_generation: int = 1

    @property
    def reachable(self) -> bool:
        return self.active and self.confirmed


@dataclass
class DistrictSettings:
    """A place's institutions (a district, or a province as a whole): the registry's rows
    for it (domain/registry.py generates the standard ones; offices confirm and edit them).
    The office that handles the place keeps its own settings (domain/offices.Office)."""
    district: str
    institutions: list[Institution]
    version: int | None = None

    def by_kind(self, kind: str) -> list[Institution]:
        return [i for i in self.institutions if i.kind == kind and i.active]

    def by_id(self, institution_id: str) -> Institution | None:
        return next((i for i in self.institutions if i.id == institution_id), None)


@dataclass
class Resolution:
    institutions: list[Institution]
    missing_kinds: list[str]

    @property
    def unconfirmed(self) -> list[Institution]:
        """Competent institutions whose liaison address no office has confirmed yet."""
        return [i for i in self.institutions if not i.confirmed]

    @property
    def unambiguous(self) -> bool:
        return len(self.institutions) == 1 and not self.missing_kinds and not self.unconfirmed


def resolve(kinds: tuple[str, ...], district: DistrictSettings | None,
            province: DistrictSettings | None = None) -> Resolution:
    """The competent institutions for these institution kinds (the subject's, or the
    handling office's override; routing rules are data) in a place: the place's own, and
    for a kind the place has none of, the province's (an il müdürlüğü serves every
    district that has no ilçe unit)."""
    found: list[Institution] = []
    missing: list[str] = []
    for kind in kinds:
        matches = (district.by_kind(kind) if district else []) or (province.by_kind(kind) if province else [])
        if matches:
            found.extend(m for m in matches if m not in found)
        else:
            missing.append(kind)
    return Resolution(found, missing)


@dataclass
class Answer:
    at: datetime
    text: str
    outcome: str
    responder_name: str
    responder_title: str
    attachments: list[dict] = field(default_factory=list)
    returned_note: str | None = None


@dataclass
class Assignment:
    application_no: str
    institution: Institution
    status: AssignmentStatus
    dispatched_at: datetime
    sla_due_date: date
    forward_id: int
    link_generation: int = 1
    answers: list[Answer] = field(default_factory=list)
    notes: list[dict] = field(default_factory=list)
    reminded_for: str | None = None
    version: int | None = None
    redirect: dict | None = None
    subject: str = ""
    contact_shared: dict | None = None   # {at, by, reason}: the office let this institution see the contact details

    @property
    def id(self) -> str:
        return f"{self.application_no}.{self.institution.id}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


def sla_working_days(subject: Subject, institution: Institution) -> int:
    """Per institution if set, else per subject, else the default of 7 (docs/domain-rules.md §3 rule 7)."""
    return institution.sla_days or subject.sla_days or DEFAULT_INSTITUTION_SLA_WORKING_DAYS


def new_assignments(application_no: str, subject: Subject, institutions: list[Institution], *, now: datetime,
                    legal_due: date, forward_id: int, calendar: TurkishCalendar,
                    case_subject: str = "") -> list[Assignment]:
    dispatched = local_date(now)
    return [Assignment(application_no, inst, AssignmentStatus.SENT, now,
                       calendar.institution_sla_due(dispatched, legal_due, sla_working_days(subject, inst)),
                       forward_id, subject=case_subject)
            for inst in institutions]


def close_open(assignments: list, at: datetime, reason: str) -> list:
    """The case closed: every assignment still waiting for its institution is closed
    with the reason; returns those it closed (answered and redirected ones stay)."""
    closed = []
    for a in assignments:
        if a.is_open:
            a.status = AssignmentStatus.CLOSED
            a.notes.append({"at": at.isoformat(timespec="seconds"), "by": "system", "kind": "closed", "text": reason})
            closed.append(a)
    return closed


# assignments that no longer take part in the office's round: sent elsewhere, closed, or
# referred (the authority reads the case and owes the office no answer)
OUT_OF_PLAY = frozenset({AssignmentStatus.REDIRECTED, AssignmentStatus.CLOSED, AssignmentStatus.REFERRED})


def settle_status(assignments: list):
    """The status a case takes when it comes back to the office's hands (after waiting
    for the applicant): forwarded while an institution still owes an answer, answered
    when every assignment in play has answered, else in review."""
    if any(a.is_open for a in assignments):
        return Status.FORWARDED
    if any(a.status == AssignmentStatus.ANSWERED for a in assignments):
        return Status.INSTITUTION_ANSWERED
    return Status.IN_REVIEW


def settle_case(case, assignments: list, at: datetime) -> str | None:
    """After an institution acted: when every assignment still in play has answered, the
    case becomes `institution_answered`; when all were redirected, it goes back to the
    office (`in_review`). An authority the case was referred to (a prosecutor) owes the
    office nothing, so it is never waited for. Returns the event, if any."""
    if case.status != Status.FORWARDED:
        return None
    active = [a for a in assignments if a.status not in OUT_OF_PLAY]
    if not active:
        case.transition(Status.IN_REVIEW, at, event="all_redirected",
                        note=HISTORY_NOTES["all_redirected"])
        return "all_redirected"
    if all(a.status == AssignmentStatus.ANSWERED for a in active):
        case.transition(Status.INSTITUTION_ANSWERED, at, event="all_answered")
        return "all_answered"
    return None
