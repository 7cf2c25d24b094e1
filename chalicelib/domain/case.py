"""The case (başvuru) aggregate: statuses, the transitions between them and the history.

Pure domain code. Every status change goes through `Case.transition`, which refuses
anything the state machine of docs/domain-rules.md §4 does not allow.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from .calendar import default_calendar
from .catalog import catalog
from .errors import Conflict
from .notifications import institutions_phrase


class Status(StrEnum):
    RECEIVED = "received"
    IN_REVIEW = "in_review"
    FORWARDED = "forwarded"
    AWAITING_APPLICANT = "awaiting_applicant"
    INSTITUTION_ANSWERED = "institution_answered"
    UNDER_EVALUATION = "under_evaluation"
    CONCLUDED = "concluded"
    NOT_PROCESSED = "not_processed"


S = Status
TRANSITIONS: dict[Status, frozenset[Status]] = {
    S.RECEIVED: frozenset({S.IN_REVIEW, S.FORWARDED, S.AWAITING_APPLICANT, S.NOT_PROCESSED}),
    S.IN_REVIEW: frozenset({S.FORWARDED, S.AWAITING_APPLICANT, S.NOT_PROCESSED, S.CONCLUDED}),
    S.FORWARDED: frozenset({S.FORWARDED, S.INSTITUTION_ANSWERED, S.IN_REVIEW, S.AWAITING_APPLICANT}),
    # Back from waiting, the case takes the state its assignments are in (`settle_status`).
    S.AWAITING_APPLICANT: frozenset({S.IN_REVIEW, S.FORWARDED, S.INSTITUTION_ANSWERED, S.NOT_PROCESSED}),
    S.INSTITUTION_ANSWERED: frozenset({S.UNDER_EVALUATION, S.FORWARDED, S.CONCLUDED}),
    S.UNDER_EVALUATION: frozenset({S.FORWARDED, S.AWAITING_APPLICANT, S.CONCLUDED, S.NOT_PROCESSED}),
    S.CONCLUDED: frozenset({S.UNDER_EVALUATION}),
    S.NOT_PROCESSED: frozenset({S.IN_REVIEW}),
}
CLOSED = frozenset({S.CONCLUDED, S.NOT_PROCESSED})
OPEN_STATUSES = frozenset(Status) - CLOSED

# What people read for each status (the web client has the same words, web/js/api.js).
STATUS_NAMES = {
    S.RECEIVED: "Alındı",
    S.IN_REVIEW: "İnceleniyor",
    S.FORWARDED: "Kuruma iletildi",
    S.AWAITING_APPLICANT: "Başvuru sahibinden bilgi bekleniyor",
    S.INSTITUTION_ANSWERED: "Kurum cevap verdi",
    S.UNDER_EVALUATION: "Değerlendiriliyor",
    S.CONCLUDED: "Sonuçlandı",
    S.NOT_PROCESSED: "İşleme alınmadı",
}

# What a citizen reads on the tracking page for each status.
PUBLIC_NOTES = {
    S.RECEIVED: "Başvurunuz alındı ve kayda geçirildi.",
    S.IN_REVIEW: "Başvurunuz Açık Kapı bürosunca inceleniyor.",
    S.FORWARDED: "Başvurunuz ilgili kuruma iletildi.",
    S.AWAITING_APPLICANT: "Başvurunuzla ilgili sizden ek bilgi bekleniyor.",
    S.INSTITUTION_ANSWERED: "İlgili kurumlar cevap verdi; cevaplar değerlendiriliyor.",
    S.UNDER_EVALUATION: "Başvurunuz değerlendiriliyor.",
    S.CONCLUDED: "Başvurunuz sonuçlandırıldı.",
    S.NOT_PROCESSED: "Başvurunuz işleme alınamadı.",
}

# The public notes an action writes instead, by its event; {names} are filled in where it is
# written. One place for them, so that the citizen pages' dictionaries (web/i18n, listed by
# tools/i18n_strings.py) translate every note a citizen can read.
HISTORY_NOTES = {
    "forwarded": "Başvurunuz {institutions} iletildi.",
    "acknowledged": "Teşekkürünüz {institutions} iletildi.",
    "acknowledged_here": "Teşekkürünüz Açık Kapı bürosunca alındı.",
    "all_redirected": "Başvurunuz yeniden yönlendirilmek üzere Açık Kapı bürosunda inceleniyor.",
    "information_requested": "Sizden ek bilgi isteniyor: {message}",
    "information_received": "İstenen ek bilgi {channel} alındı; başvurunuz işleme devam ediyor.",
    "citizen_reply": "Ek bilginiz alındı; başvurunuz işleme devam ediyor.",
    "objection": "İtirazınız alındı; başvurunuz yeniden değerlendiriliyor.",
    "reopened": "Başvurunuz yeniden değerlendirmeye alındı.",
    "reconcluded": "Başvurunuz yeniden sonuçlandırıldı; bu cevap {date} tarihli önceki cevabın yerine geçer.",
    "merged": "Başvurunuz aynı konudaki {application_no} numaralı önceki başvurunuzla birleştirildi; süreç o "
              "başvuru üzerinden yürütülecek.",
    "not_processed": "Başvurunuz işleme alınamadı. Gerekçe: {reason}. {explanation}\n\nBaşvuru yolları: {remedies}",
}
# how the information asked for came in (information_received's {channel})
RECEIVED_BY = {"desk": "masada", "phone": "telefonla"}


def legal_due_for(case_type: str, start: date, *, extended: bool = False) -> date | None:
    """The legal due date of a case of this type whose period runs from `start` (the
    receipt date, or the day it was reopened); None when no answer is owed."""
    if not catalog().answer_owed(case_type):
        return None
    return default_calendar().legal_due(catalog().law_of(case_type), start, extended=extended)


class IllegalTransition(Conflict):
    def __init__(self, current: Status, target: Status):
        super().__init__("illegal_transition",
                         f"Başvuru “{STATUS_NAMES[current]}” durumundayken “{STATUS_NAMES[target]}” durumuna "
                         f"geçirilemez.", details={"current_status": current.value})


@dataclass
class Applicant:
    national_id: str
    first_name: str
    last_name: str
    phone: str
    address: str
    email: str | None = None


@dataclass
class HistoryEntry:
    at: datetime
    status: Status
    note: str | None = None
    public: bool = True
    actor: str = "system"
    event: str | None = None


@dataclass
class Case:
    application_no: str
    access_code_hash: str
    type: str
    law: str
    category: str
    district: str
    province: str
    subject: str
    description: str
    applicant: Applicant
    channel: str
    received_at: datetime
    receipt_date: date
    legal_due_date: date | None    # None when no answer is owed (a thanks, teşekkür)
    status: Status = S.RECEIVED
    confidential_identity: bool = False
    location: dict | None = None
    # where the matter is, as the citizen chose it: {neighbourhood, street?} (schemas.PlaceIn);
    # sealed like the location, since a street and number can reveal a home
    place: dict | None = None
    history: list[HistoryEntry] = field(default_factory=list)
    version: int | None = None
    extended: bool = False
    outcome: str | None = None
    final_answer: str | None = None
    concluded_at: datetime | None = None
    recorded_at: datetime | None = None
    forwards: int = 0
    institutions: list[dict] = field(default_factory=list)  # [{id, name, forward_id}]
    review_reason: str | None = None
    notes: list[dict] = field(default_factory=list)  # office-internal notes
    sla_due_date: date | None = None  # the earliest SLA due date among open assignments
    not_processed_reason: str | None = None
    merged_into: str | None = None
    legal_warned_for: str | None = None   # the legal due date the office was last warned about
    extension_warned: bool = False
    objected_at: datetime | None = None
    # Every reasoned final answer ever given, oldest first: [{n, at, by, outcome, answer,
    # legal_remedies}]. A re-conclusion adds one; the case shows the last.
    final_answers: list[dict] = field(default_factory=list)
    legal_remedies: str | None = None    # 4982 art. 12: stated with a refused information request
    reopened_on: date | None = None      # the last reopening: the legal period runs again from it
    # an application filed by an Open311 partner: {"id", "name"}; and the photo it linked
    partner: dict | None = None
    media_url: str | None = None
    # KVKK: a supervisor's hold ({reason, by, at}) keeps the file from destruction; once
    # its retention period ended the personal data is gone and this says when
    legal_hold: dict | None = None
    anonymised_at: datetime | None = None
    # filed within a session whose phone an SMS code verified (domain/otp.py): it proves
    # control of the phone, not who the person is
    phone_verified: bool = False
    # how the applicant's identity was verified, if it was: "desk" (an identity card seen at
    # the desk); an identity provider (e-Devlet) would add its own. 3071 art. 4: an
    # electronic application counts as signed once the identity is verified
    identity_verification: str | None = None
    # the citizen's photos and documents (at most 3), metadata stripped: [{id, filename, key, size, content_type, at}]
    citizen_files: list[dict] = field(default_factory=list)
    # "olası tekrar": {of, subject, score, at} from routing; {…, dismissed: {by, reason, at}} once the clerk dismissed it
    possible_repeat: dict | None = None
    text_sketch: str | None = None     # domain/repeats.sketch of the description: keyed digests only
    geocell: str | None = None         # domain/nearby.cell of the location (about 1 km), for related cases
    # sent to the competent authority instead of being decided here (the `refer` action):
    # {ground, source, institution_id, authority, at}
    referral: dict | None = None
    # the office that handles the case (domain/offices.handling_office): its own place's office
    # when that is onboarded, else the one above it; its queue, dashboard and staff. The place
    # (`district`) stays what the application is about: its institutions, its statistics.
    office: str = ""
    # The status the store holds for this version (set by the store when it loads or saves
    # the case): what a save moves in the district counters (domain/stats.py).
    stored_status: Status | None = field(default=None, compare=False, repr=False)
    # The (national id, phone) fingerprint the store holds this case under (domain/otp.py),
    # set by the store like stored_status: a save that changes it (a phone corrected, the
    # personal data destroyed) moves the case between the pair items.
    stored_pair: str | None = field(default=None, compare=False, repr=False)
    # Set by the store when the case was read from its archive (a closed case a year old,
    # domain/retention.archivable): what the store needs to bring it back before a write.
    stored_archive: object = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.office:      # a case stored before offices were data: its district's own office
            self.office = self.district

    @property
    def closed(self) -> bool:
        return self.status in CLOSED

    @property
    def answer_owed(self) -> bool:
        """A thanks owes no answer: it has no legal due date and no reminders."""
        return self.legal_due_date is not None

    @property
    def period_start(self):
        """The day the current legal period runs from: the receipt, or the last reopening."""
        return self.reopened_on or self.receipt_date

    def transition(self, target: Status, at: datetime, *, note: str | None = None,
                   actor: str = "system", public: bool = True, event: str | None = None) -> None:
        if target not in TRANSITIONS[self.status]:
            raise IllegalTransition(self.status, target)
        self.status = target
        self.history.append(HistoryEntry(at, target, note if note is not None else PUBLIC_NOTES[target],
                                         public, actor, event))

    def close_by_referral(self, at: datetime, *, note: str, actor: str) -> None:
        """Sent to the authority that decides it (CMK art. 158/2 for a crime report, 3071
        art. 5 for another authority's matter): the duty is to send it on at whatever stage
        it is found, so a referral concludes the case from any open status, not only from
        those an answer follows."""
        if self.closed:
            raise IllegalTransition(self.status, Status.CONCLUDED)
        self.status = Status.CONCLUDED
        self.history.append(HistoryEntry(at, Status.CONCLUDED, note, True, actor, "referred"))

    def add_note(self, at: datetime, text: str, *, actor: str = "system", event: str = "note") -> None:
        """An office-internal history entry: visible to staff, never to the citizen."""
        self.history.append(HistoryEntry(at, self.status, text, False, actor, event))

    def record_forward(self, institutions: list, at: datetime, *, actor: str = "system") -> int:
        """Moves the case to `forwarded` towards the given institutions; returns the
        forward's sequence number (1 for the first forward)."""
        self.transition(Status.FORWARDED, at, actor=actor, event="forwarded",
                        note=HISTORY_NOTES["forwarded"].format(
                            institutions=institutions_phrase([i.name for i in institutions])))
        self.forwards += 1
        self.review_reason = None
        self.institutions.extend({"id": i.id, "name": i.name, "forward_id": self.forwards} for i in institutions)
        return self.forwards

    def refresh_sla(self, assignments: list) -> None:
        open_ = [a.sla_due_date for a in assignments if a.is_open]
        self.sla_due_date = min(open_) if open_ else None

    def institutions_of_forward(self, forward_id: int) -> list[dict]:
        return [i for i in self.institutions if i["forward_id"] == forward_id]

    @property
    def closed_at(self) -> datetime | None:
        """When the case last became closed (concluded or not processed); None while open."""
        if not self.closed:
            return None
        at = None
        previous = None
        for h in self.history:
            if h.status in CLOSED and previous not in CLOSED:
                at = h.at
            previous = h.status
        return at or self.concluded_at or self.received_at

    @property
    def updated_at(self) -> datetime:
        """When the citizen-visible state last changed: the latest public history entry."""
        public = self.public_history()
        return public[-1].at if public else self.received_at

    def public_history(self) -> list[HistoryEntry]:
        return [h for h in self.history if h.public]
