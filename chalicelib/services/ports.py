"""The ports: what the services need from the outside world, as plain Protocols.

Services see domain objects only. The DynamoDB store, SQS/SES/SNS, S3, the key store
and the clock are adapters (chalicelib/adapters) that the composition root
(chalicelib/bootstrap.py) plugs in; the tests plug in the in-memory fakes of
tests/fakes.py, which pass the same contract suite as the DynamoDB store.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from ..domain.assignment import Assignment, DistrictSettings
from ..domain.case import Case, Status
from ..domain.crypto import SigningKeys
from ..domain.notifications import Notification
from ..domain.partners import Partner
from ..domain.principal import StaffMember
from ..domain.stats import DistrictStats
from ..domain.records import AuditEntry, Counter, IdempotencyRecord, PendingRoute, SurveyAnswer
from ..domain.repeats import ApplicantRow


# --- what the store raises ----------------------------------------------------------

class StaleCase(Exception):
    """The case (or another versioned item) changed since it was read."""


class TransientConflict(Exception):
    """Another transaction touched the same items at the same moment; try again."""


class DuplicateApplicationNo(Exception):
    """The drawn application number exists already."""


class IdempotencyKeyTaken(Exception):
    """Another request with the same Idempotency-Key was recorded first."""


class PartnerRefused(Exception):
    """A submission's partner key, checked inside its transaction: "revoked" or "limited"."""
    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


@dataclass(frozen=True)
class PartnerUse:
    """An Open311 filing counted in the submission's own transaction: the key's record
    (exists, not revoked; uses + 1) and this minute's filing counter (under the limit)."""
    key_hash: str
    partner_id: str
    window: int
    limit: int
    at: datetime


class InvalidCursor(ValueError):
    """A queue cursor that this store did not issue for this query."""


class PoisonMessage(ValueError):
    """A message that can never succeed; it goes to the DLQ after its receives."""


@dataclass(frozen=True)
class QueueQuery:
    """One page of the office queue: a district's (or, without a district, a province's)
    cases sorted by legal due date, with optional filters."""
    district: str | None
    province: str | None
    limit: int
    today: date
    status: str | None = None
    case_type: str | None = None
    category: str | None = None
    institution: str | None = None
    overdue: bool = False
    received_from: date | None = None
    received_to: date | None = None
    cursor: str | None = None


class CaseStore(Protocol):
    def ready(self) -> None:
        """One cheap read; raises when the database cannot be reached."""

    # citizen submissions and tracking
    def add_submission(self, case: Case, idempotency: IdempotencyRecord | None,
                       partner_use: "PartnerUse | None" = None) -> None:
        """The case, its idempotency record, the district's counters and the route marker,
        all or nothing. Raises DuplicateApplicationNo, IdempotencyKeyTaken, TransientConflict."""

    def get_idempotency(self, key: str) -> IdempotencyRecord | None: ...

    def take_attempt(self, counter: Counter, limit: int, expires_at: datetime) -> bool:
        """Check and count at once (one conditional write): +1 if below `limit`, else
        nothing and False. Concurrent callers can never pass the limit together."""

    def give_back_attempt(self, counter: Counter) -> None:
        """Undo one take_attempt (an attempt that turned out legitimate)."""

    def get_public_and_count(self, no: str, counter: Counter) -> tuple[Case | None, int]:
        """The case without personal data and one counter, in one read."""

    def increment_counter(self, counter: Counter, expires_at: datetime) -> None: ...

    def claim_within_limit(self, counter: Counter, member: str, limit: int, expires_at: datetime) -> bool:
        """Add `member` to the counter's set if it has fewer than `limit`; True if it is
        (now or already) a member."""

    # cases and assignments
    def get(self, no: str) -> Case | None: ...

    def load_with_assignments(self, no: str, *, with_personal_data: bool = True
                              ) -> tuple[Case | None, list[Assignment]]: ...

    def load_for_routing(self, no: str, district: str) -> tuple[Case | None, DistrictSettings | None]: ...

    def assignments(self, no: str) -> list[Assignment]: ...

    def commit(self, case: Case, assignments: list[Assignment], *, audit: AuditEntry | None = None,
               new_assignments: list[Assignment] | None = None, others: list[Case] | None = None) -> None:
        """One all-or-nothing write: the case and `others` (version-checked), changed
        assignments (version-checked), new assignments (must not exist) and the audit
        entry. Raises StaleCase or TransientConflict; on success the versions move on."""

    def commit_forward(self, case: Case, assignments: list[Assignment], *, changed: list[Assignment] = ()) -> None:
        """Routing's write: the case, its new assignments (and earlier ones sent again,
        version-checked); the case leaves the re-route slot it held while received."""

    def save_case(self, case: Case) -> None: ...

    def try_save_case(self, case: Case) -> bool: ...

    def save_assignment(self, assignment: Assignment, district: str) -> bool:
        """Version-checked; False when someone else changed it first."""

    # districts (reference data edited at run time)
    def district(self, code: str) -> DistrictSettings | None: ...

    def save_district(self, settings: DistrictSettings) -> None:
        """Creates the settings (version None) or replaces them at their version; StaleCase otherwise."""

    def staff(self, username: str) -> StaffMember | None:
        """The staff member's access record, read consistently (it decides access)."""

    def save_staff(self, member: StaffMember) -> None:
        """Creates (version None) or replaces at its version; StaleCase otherwise."""

    def register_district(self, code: str) -> None: ...

    def registered_districts(self) -> list[str]: ...

    # the office's reads
    def queue_page(self, query: QueueQuery) -> tuple[list[Case], str | None]:
        """Cases without personal data, and the next cursor. Raises InvalidCursor."""

    def district_stats(self, district: str) -> DistrictStats:
        """The district's counters (domain/stats.py), kept in the transactions that move
        them: one read, whatever the history."""

    def open_cases_near(self, district: str, category: str, cells: list[str], received_from: datetime,
                        limit: int = 25) -> list:
        """Open cases (with their locations) of a district and category whose location cell
        is one of `cells`, received since `received_from`."""

    # open statistics (domain/open_stats.py)
    def month_cells(self, month: str) -> list[tuple[str, str, dict]]:
        """Every (district, type, counts) cell of a month, for the roll-up."""

    def save_published_stats(self, month: str, document: dict, index: list[dict], at: datetime, *,
                             changed: set[str], digests: dict[str, str]) -> None:
        """Writes the changed documents ("" = the country, else a province code), the index
        and the digests."""

    def published_digests(self, month: str) -> dict[str, str]: ...

    def published_stats(self, month: str | None, province: str | None) -> tuple[list[dict], dict | None]:
        """The published months and one published document (the latest month when none is
        named; the country's, or a province's): at most two small reads."""

    # the scheduled sweeps: only what is due, through the sweep index
    def due_assignments(self, now: datetime) -> list[tuple[Assignment, str]]: ...

    def case_states(self, nos: set[str]) -> dict[str, tuple[Status, datetime | None]]:
        """{number: (status, concluded at)} of these cases, one batched read of those two
        attributes; numbers with no case are left out."""

    def applicant_rows(self, nid_hash: str, limit: int = 100) -> list[ApplicantRow]:
        """The applicant's applications, newest first, as the applicant index keeps them:
        what they were filed with, no status (case_states() has it), no personal data."""

    def due_cases(self, now: datetime) -> list[Case]: ...

    def due_routes(self, now: datetime) -> list[PendingRoute]: ...

    def postpone_route(self, no: str, until: datetime) -> None: ...

    def open_cases(self, district: str) -> list[Case]:
        """The district's open cases as the queue holds them (no personal data), by legal
        due date: one Query of the open-case index."""

    # surveys
    # Open311 partners (keys stored as HMACs only)
    def add_partner(self, partner: Partner) -> None: ...

    def partners(self) -> list[Partner]: ...

    def revoke_partner(self, key_hash: str, at: datetime) -> bool:
        """False when the key is unknown or already revoked."""

    def use_partner_key(self, key_hash: str, window: int, now: datetime) -> tuple[str, Partner | None]:
        """Check and count one call in one conditional write: ("ok" | "unknown" | "revoked" | "limited", partner)."""

    def partner_case_numbers(self, partner_id: str, since: datetime, limit: int) -> list[str]:
        """A partner's cases whose last public change is at or after `since`, newest first (index Query)."""

    def cases_public(self, nos: list[str]) -> list[Case]:
        """These cases without personal data (BatchGetItem); unknown numbers are left out."""

    def add_survey(self, answer: SurveyAnswer) -> bool:
        """False when the case's survey was answered before."""

    def survey_answered(self, no: str) -> bool: ...


class AuditLog(Protocol):
    def record(self, entry: AuditEntry) -> None: ...

    def trail(self, subject: str) -> list[dict]: ...


class Publisher(Protocol):
    def ready(self) -> None:
        """One cheap call to the queues; raises when they cannot be reached."""

    def route(self, message: dict) -> None:
        """A message for the routing worker (built by services/messages.py)."""

    def route_many(self, messages: list[dict]) -> None:
        """Several, in batches of ten."""

    def notify(self, notifications: list[Notification]) -> None:
        """Notifications for the notification worker, sealed on the way out."""


class BlobStorage(Protocol):
    UPLOAD_URL_SECONDS: int

    def attachment_key(self, application_no: str, owner: str, attachment_id: str) -> str: ...

    def presigned_upload(self, key: str, content_type: str) -> dict: ...

    def presigned_download(self, key: str, filename: str, content_type: str) -> str:
        """A short-lived link that always downloads, with the checked content type."""

    def read(self, key: str) -> bytes: ...

    def inspect(self, key: str) -> dict | None:
        """{size, content_type, head (first bytes)}, or None when absent."""

    def delete(self, key: str) -> None: ...

    def write(self, key: str, body: bytes, content_type: str) -> None: ...

    def kept_key(self, upload_key: str) -> str: ...

    def keep(self, key: str) -> str:
        """Moves an accepted upload out of the expiring uploads/ prefix; the new key."""

    def delete_case_objects(self, application_no: str) -> int:
        """Deletes every object stored for the case; how many."""


class Keys(Protocol):
    def seal(self, plaintext: str, context: str) -> str: ...

    def unseal(self, token: str, context: str) -> str: ...

    def access_code_hash(self, application_no: str, access_code: str) -> str: ...

    def verify_access_code(self, application_no: str, access_code: str, stored_hash: str) -> bool: ...

    def fingerprint(self, data: bytes) -> str: ...

    def signing_keys(self) -> SigningKeys: ...

    def refresh_signing_keys(self) -> bool: ...


class Clock(Protocol):
    def now(self) -> datetime: ...


class StaffIdentity(Protocol):
    """The identity provider's side of a staff member (Cognito in AWS)."""

    def exists(self, username: str) -> bool: ...

    def apply(self, member: StaffMember, *, sign_out: bool) -> None:
        """Mirror role, scope and enabled into the provider; with `sign_out`, end every
        session the user has (refresh tokens stop working)."""


@dataclass
class Ports:
    """Everything a service may touch, handed over by the composition root."""
    store: CaseStore
    audit: AuditLog
    publisher: Publisher
    storage: BlobStorage
    keys: Keys
    clock: Clock
    identity: StaffIdentity
