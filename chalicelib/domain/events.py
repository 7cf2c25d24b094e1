"""What happened to a case, as the services report it.

An action changes state and returns events; it does not decide who is told, by which
channel, with which words. `services/notifications.py` maps each event to messages
(the citizen's SMS and e-mail, the office's e-mail, the institution's delivery by its
`send_method`). Events are pure values: the case or assignment as it stood when the
change was committed, and the few facts the change itself adds.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from .assignment import Assignment
from .case import Case


# --- to the citizen (and, for forwards and returns, to the institution) ------------

@dataclass(frozen=True)
class ApplicationReceived:
    case: Case


@dataclass(frozen=True)
class Forwarded:
    """Forward number `forward_id`: the citizen is told, and every assignment of that
    forward is delivered to its institution."""
    case: Case
    forward_id: int
    assignments: tuple[Assignment, ...]


@dataclass(frozen=True)
class NotProcessed:
    case: Case


@dataclass(frozen=True)
class Merged:
    case: Case


@dataclass(frozen=True)
class InformationRequested:
    case: Case
    n: int  # the n-th request on this case: each one is told once


@dataclass(frozen=True)
class InterimAnswerGiven:
    case: Case
    n: int
    text: str


@dataclass(frozen=True)
class Referred:
    """Sent to the authority that decides it (CMK art. 158/2, 3071 art. 5): the citizen is
    told where and on which ground; the authority receives the case to read."""
    case: Case
    assignment: Assignment
    ground: str
    source: str


@dataclass(frozen=True)
class Concluded:
    case: Case
    n: int  # a reopened case concluded again is told again


@dataclass(frozen=True)
class DeadlineExtended:
    """A 4982 extension: the citizen by SMS (and e-mail, if given); the office by
    e-mail when an institution asked for it."""
    case: Case
    institution_name: str
    reason: str             # the office's or the institution's words: e-mailed to the office only
    by_office: bool = False
    ground: str = ""        # the statutory ground itself (office.EXTENSION_GROUNDS): told to the applicant


# --- to an institution ---------------------------------------------------------------

@dataclass(frozen=True)
class AnswerReturned:
    case: Case
    assignment: Assignment
    note: str


@dataclass(frozen=True)
class LinkReissued:
    case: Case
    assignment: Assignment


@dataclass(frozen=True)
class CaseClosedForInstitutions:
    """The case closed (the `n`-th time) while these assignments still waited: each
    institution is told that no answer is expected any more, and why."""
    case: Case
    assignments: tuple[Assignment, ...]
    reason: str
    n: int


@dataclass(frozen=True)
class ThanksPassedOn:
    """A thanks the office passed on to the institutions it names (no answer owed)."""
    case: Case
    institutions: tuple


@dataclass(frozen=True)
class ReminderDue:
    assignment: Assignment
    step: str


# --- to the office ---------------------------------------------------------------------

@dataclass(frozen=True)
class InstitutionAnswered:
    case: Case
    assignment: Assignment
    outcome: str
    all_answered: bool


@dataclass(frozen=True)
class InstitutionRedirected:
    case: Case
    assignment: Assignment
    reason: str
    suggested_institution: str | None


@dataclass(frozen=True)
class AssignmentOverdue:
    """The institution missed its date: the office, and its supervisor if it has one."""
    assignment: Assignment
    district: str


@dataclass(frozen=True)
class LegalDeadlineNear:
    case: Case
    days_left: int


@dataclass(frozen=True)
class ExtensionDecisionDue:
    """A 4982 request at working day 12 with no extension yet."""
    case: Case
    last_day: date


@dataclass(frozen=True)
class ConclusionObjected:
    case: Case


@dataclass(frozen=True)
class DigestItem:
    application_no: str
    subject: str
    legal_due_date: date


@dataclass(frozen=True)
class DailyDigest:
    district: str
    day: date
    new: tuple[str, ...]
    due_today: tuple[DigestItem, ...]
    overdue: tuple[DigestItem, ...]


@dataclass(frozen=True)
class SubjectRequestDue:
    """A KVKK data-subject request 5 days before its 30th day."""
    request_id: str
    district: str
    due_on: date
    kind: str


@dataclass(frozen=True)
class StaffInvited:
    """A staff member was invited: the e-mail carries the user name and the temporary
    password (sealed on the queue like every notification), valid for `valid_days`."""
    username: str
    name: str
    email: str
    temporary_password: str
    role: str
    place: str
    valid_days: int
    at: datetime
    ref: str                 # this invitation's own id (a reset sends another)


@dataclass(frozen=True)
class LiaisonConfirmationRequested:
    """An office asked an institution's liaison to confirm its address (a test link)."""
    place: str
    institution_id: str
    institution_name: str
    email: str
    office_name: str
    link: str
    expires_on: str
    ref: str


@dataclass(frozen=True)
class InboxLinkSent:
    """An office sent an institution its inbox link (a new one, or the current one again)."""
    institution_id: str
    institution_name: str
    email: str
    office_name: str
    link: str
    expires_on: str
    ref: str


@dataclass(frozen=True)
class InboxDigestDue:
    """An institution that reads a daily digest has assignments to be reminded of today."""
    institution_id: str
    institution_name: str
    email: str
    office_name: str
    link: str
    day: date
    open_count: int
    overdue: int


@dataclass(frozen=True)
class PhoneCodeRequested:
    """A citizen asked for a verification code for a phone that has applications."""
    phone: str
    code: str
    ref: str            # the code record and its window: one SMS per code


Event = (ApplicationReceived | Forwarded | Referred | NotProcessed | Merged | InformationRequested | InterimAnswerGiven
         | Concluded | DeadlineExtended | AnswerReturned | LinkReissued | CaseClosedForInstitutions | ThanksPassedOn
         | ReminderDue | InstitutionAnswered
         | InstitutionRedirected | AssignmentOverdue | LegalDeadlineNear | ExtensionDecisionDue
         | ConclusionObjected | DailyDigest | SubjectRequestDue | PhoneCodeRequested | StaffInvited
         | LiaisonConfirmationRequested | InboxLinkSent | InboxDigestDue)
