"""The ports: what the services need from the outside world, as plain Protocols.

Services see domain objects only. Storage is split by what it stores, one port each:

| port               | holds                                                                 |
|--------------------|-----------------------------------------------------------------------|
| `CaseRepository`   | cases, their assignments, idempotency records, the destruction log     |
| `StaffDirectory`   | staff members' role and scope                                         |
| `PartnerKeys`      | Open311 partner keys (HMACs only) and their use                       |
| `PhoneCodes`       | citizens' phone-verification codes                                    |
| `SubjectRequests`  | KVKK data-subject requests                                            |
| `Statistics`       | district counters, open-statistics cells and documents, survey answers |
| `ReferenceData`    | district settings with their institutions, the district registry      |
| `Counters`         | throttle counters and daily caps                                      |

The DynamoDB adapters (chalicelib/adapters/dynamodb) and the in-memory fakes of
tests/fakes pass the same contract suite (tests/contract, one file per port), and mypy
(run by `make test`) fails a service that calls what its port does not declare. Only
the composition root (chalicelib/bootstrap.py) builds adapters.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol

# The ports name these types only in annotations: imported for the type checker alone, so
# that importing the ports (every function's cold start) imports none of the domain.
if TYPE_CHECKING:
    from ..domain.assignment import Assignment, DistrictSettings
    from ..domain.offices import Office
    from ..domain.audit import AuditEntry
    from ..domain.case import Case, Status
    from ..domain.crypto import SigningKeys
    from ..domain.idempotency import IdempotencyRecord
    from ..domain.notifications import Notification
    from ..domain.partners import Partner
    from ..domain.principal import Principal, StaffMember
    from ..domain.repeats import ApplicantRow
    from ..domain.retention import Destroyed
    from ..domain.stats import DistrictStats
    from ..domain.subject_requests import SubjectRequest
    from ..domain.surveys import SurveyAnswer
    from ..domain.sweeps import PendingRoute
    from ..domain.throttle import Counter


# --- what the stores raise ------------------------------------------------------------

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


class InvalidCursor(ValueError):
    """A page cursor that this store did not issue for this query."""


class PoisonMessage(ValueError):
    """A message that can never succeed; it goes to the DLQ after its receives."""


@dataclass(frozen=True)
class PartnerUse:
    """An Open311 filing counted in the submission's own transaction: the key's record
    (exists, not revoked; uses + 1) and this minute's filing counter (under the limit)."""
    key_hash: str
    partner_id: str
    window: int
    limit: int
    at: datetime
    counter_expires_at: datetime     # the minute's counter goes a window after its own


@dataclass(frozen=True)
class PartnerRequestQuery:
    """A partner's requests received in [start, end] (GeoReport v2 GET requests): open or
    closed or both, some service codes, one district; the page `offset` .. `offset+limit`."""
    partner_id: str
    start: datetime
    end: datetime
    states: frozenset[str]            # {"open", "closed"}
    categories: frozenset[str]        # empty: every service
    district: str | None
    offset: int
    limit: int


QUEUE_EVALUATED_PER_PAGE = 500      # index items one queue page may read (5 Query calls of 100)


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


# --- cases and assignments --------------------------------------------------------------

class CaseRepository(Protocol):
    def ready(self) -> None:
        """One cheap read; raises when the database cannot be reached."""

    # citizen submissions and tracking
    def add_submission(self, case: Case, idempotency: IdempotencyRecord | None,
                       partner_use: PartnerUse | None = None) -> None:
        """The case, its idempotency record and the statistics it moves, all or nothing
        (with a partner's use, the key's check and count too). Raises
        DuplicateApplicationNo, IdempotencyKeyTaken, PartnerRefused, TransientConflict."""

    def get_idempotency(self, key: str) -> IdempotencyRecord | None: ...

    def pair_known(self, fingerprint: str) -> bool:
        """Whether any application is kept under this (national id, phone) fingerprint
        (domain/otp.pair_fingerprint): one keyed read, whatever the person's history."""

    def get_public(self, no: str) -> Case | None:
        """The case without personal data (what tracking compares the access code with)."""

    # cases and assignments
    def get(self, no: str) -> Case | None: ...

    def load_with_assignments(self, no: str, *, with_personal_data: bool = True
                              ) -> tuple[Case | None, list[Assignment]]: ...

    def load_for_routing(self, no: str, district: str, office: str) -> tuple[
            Case | None, DistrictSettings | None, DistrictSettings | None, Office | None]:
        """The case, its place's stored institutions, its province's (the place as a
        whole), and its handling office's stored settings, in one read whatever the size
        of the registry (None for what nobody stored)."""

    def assignments(self, no: str) -> list[Assignment]: ...

    def commit(self, case: Case, assignments: list[Assignment], *, audit: AuditEntry | None = None,
               new_assignments: list[Assignment] | None = None, others: list[Case] | None = None) -> None:
        """One all-or-nothing write: the case and `others` (version-checked), changed
        assignments (version-checked), new assignments (must not exist), the audit entry
        and the statistics the changes move. Raises StaleCase or TransientConflict; on
        success the versions move on."""

    def commit_forward(self, case: Case, assignments: list[Assignment], *,
                       changed: list[Assignment] | tuple = ()) -> None:
        """Routing's write: the case, its new assignments (and earlier ones sent again,
        version-checked); the case leaves the re-route slot it held while received."""

    def save_case(self, case: Case) -> None: ...

    def try_save_case(self, case: Case) -> bool: ...

    def save_assignment(self, assignment: Assignment, district: str) -> bool:
        """Version-checked; False when someone else changed it first."""

    # the office's reads
    def queue_page(self, query: QueueQuery) -> tuple[list[Case], str | None]:
        """Up to `limit` matching cases and a cursor to go on from. A page never evaluates
        more than QUEUE_EVALUATED_PER_PAGE index items: a selective filter over many open
        cases returns fewer than `limit` (maybe none) with a cursor, and the caller says that
        the search goes on (a partial page). Cases without personal data; raises
        InvalidCursor."""
        ...

    def open_cases_near(self, district: str, category: str, cells: list[str], received_from: datetime,
                        limit: int = 25) -> list[Case]:
        """Open cases (with their locations) of a district and category whose location cell
        is one of `cells`, received since `received_from`."""

    def digest_cases(self, office: str, due_by: date, windows: list[tuple[date, date]],
                     received_since: datetime) -> list[Case]:
        """What an office's daily digest names, as the queue holds them (no personal data),
        by legal due date: its open cases due by `due_by` (all of which the digest lists),
        and those received since `received_since`, which are due within `windows`
        (domain/sweeps.due_windows) or owe no answer. Key-bounded Queries of the open-case
        index: never the office's other open cases."""
        ...

    def case_states(self, nos: set[str]) -> dict[str, tuple[Status, datetime | None]]:
        """{number: (status, concluded at)} of these cases, one batched read of those two
        attributes; numbers with no case are left out."""

    # the same applicant
    def applicant_rows(self, nid_hash: str, limit: int = 100) -> list[ApplicantRow]:
        """The applicant's applications, newest first, as the applicant index keeps them:
        what they were filed with, no status (case_states() has it), no personal data."""

    def applicant_page(self, nid_hash: str, limit: int, cursor: str | None) -> tuple[list[Case], str | None]:
        """One page of a person's cases with their personal data, newest first, and the
        next cursor. Raises InvalidCursor."""

    def applicant_names(self, nos: list[str]) -> dict[str, str]:
        """{number: "Ad Soyad"} of these cases; unknown numbers are left out."""

    def cases_of_applicant(self, national_id: str) -> list[Case]:
        """Every case (not anonymised) filed with this national id, with its personal data."""

    def open_for_institution(self, institution_id: str, limit: int = 200) -> tuple[list[Assignment], bool]:
        """An institution's open assignments, soonest due first, at most `limit`, and whether
        there were more: one Query of the keys-only index of open assignments, then
        BatchGetItem of those (never in proportion to the history)."""
        ...

    # the scheduled sweeps: only what is due, through the sweep index
    def due_assignments(self, now: datetime) -> list[tuple[Assignment, str]]: ...

    def due_cases(self, now: datetime) -> list[Case]: ...

    def due_routes(self, now: datetime) -> list[PendingRoute]: ...

    def postpone_route(self, no: str, until: datetime) -> None: ...

    # KVKK: retention and destruction
    def due_retention(self, now: datetime) -> list[str]:
        """The numbers of the closed cases whose retention period ended by `now`, from the
        sweep index alone (the destruction reads each case as it destroys it)."""

    def commit_destruction(self, case: Case, assignments: list[Assignment], entries: list["Destroyed"], *,
                           run_id: str, at: datetime, audit: AuditEntry | None = None) -> None:
        """The anonymised case and assignments and one destruction-log entry per destroyed
        record, all or nothing, only if the case was not anonymised meanwhile (StaleCase)."""

    def destruction_log(self, district: str, limit: int = 50, cursor: str | None = None
                        ) -> tuple[list[dict], str | None]:
        """The district's destruction log, newest first, and the next cursor."""

    # tiering: closed cases a year old leave the database for the archive store
    def due_archive(self, now: datetime, limit: int) -> list[str]:
        """Up to `limit` numbers of closed cases that may be archived by `now`
        (domain/retention.archivable), from the destruction sweep's slots: never the
        cases archived already, never the whole history."""

    def archive_case(self, no: str, now: datetime) -> bool:
        """Moves the case's file to the archive, all or nothing, if it may still go
        (closed a year, nothing open, not changed meanwhile); False otherwise. Every read
        of an archived case answers as before; the first write brings it back."""

    # Open311: a partner's cases
    def partner_case_numbers(self, partner_id: str, since: datetime, limit: int) -> list[str]:
        """A partner's cases whose last public change is at or after `since`, newest first."""

    def partner_requests(self, q: PartnerRequestQuery) -> list[str]:
        """One page of a partner's requests (the numbers), newest change first: the filters
        are applied in the keys-and-filters index, so the full items read afterwards are
        only the page's."""
        ...

    def cases_public(self, nos: list[str], *, consistent: bool = True) -> list[Case]:
        """These cases without personal data; unknown numbers are left out. `consistent`
        False reads them eventually consistent (half the price), where a moment's lag is
        allowed (the Open311 lists)."""
        ...


# --- the other stores -----------------------------------------------------------------

class StaffDirectory(Protocol):
    def get(self, username: str) -> StaffMember | None:
        """The staff member's access record, read consistently (it decides access)."""

    def save(self, member: StaffMember) -> None:
        """Creates (version None) or replaces at its version; StaleCase otherwise."""

    def members(self, scope: str, limit: int = 500) -> list[StaffMember]:
        """The staff of one scope (`StaffMember.scope`: an office, a province, the admins),
        by user name; one query, never a scan of all staff."""


class PartnerKeys(Protocol):
    def add(self, partner: Partner) -> None: ...

    def get(self, key_hash: str) -> Partner | None: ...

    def all(self) -> list[Partner]: ...

    def revoke(self, key_hash: str, at: datetime) -> bool:
        """False when the key is unknown or already revoked."""

    def use(self, key_hash: str, window: int, now: datetime) -> tuple[str, Partner | None]:
        """Check and count one call in one conditional write:
        ("ok" | "unknown" | "revoked" | "limited", partner)."""


class PhoneCodes(Protocol):
    def put(self, subject: str, code_hash: str, valid_until: datetime) -> None:
        """A new code replaces any earlier one (its tries start again at 0)."""

    def try_code(self, subject: str, now: datetime, max_tries: int) -> str | None:
        """Counts one try in one conditional write and returns the code's hash; None when
        there is no valid code or no try left."""

    def delete(self, subject: str) -> None: ...


class SubjectRequests(Protocol):
    def add(self, request: SubjectRequest) -> None: ...

    def get(self, request_id: str) -> SubjectRequest | None: ...

    def save(self, request: SubjectRequest) -> None:
        """Version-checked: StaleCase when someone else changed it meanwhile."""

    def by_status(self, district: str, status: str, limit: int = 100) -> list[SubjectRequest]: ...

    def due(self, now: datetime) -> list[SubjectRequest]:
        """Open requests whose reminder day has come and that were not warned yet."""


class Statistics(Protocol):
    def district(self, district: str) -> DistrictStats:
        """The district's counters (domain/stats.py), kept in the transactions that move
        them: one read, whatever the history."""

    def districts(self, codes: list[str]) -> dict[str, DistrictStats]:
        """Several offices' counters: BatchGetItem, 100 keys a call (a province's offices,
        whatever their history); an office with none yet is absent."""
        ...

    def rebuild_district(self, district: str, today: date) -> DistrictStats:
        """Counts again from the cases and replaces the counters (an operator's repair)."""

    def month_cells(self, month: str) -> list[tuple[str, str, dict]]:
        """Every (district, type, counts) cell of a month, for the roll-up."""

    def save_published(self, month: str, document: dict, index: list[dict], at: datetime, *,
                       changed: set[str], digests: dict[str, str]) -> None:
        """Writes the changed documents ("" = the country, else a province code), the index
        and the digests."""

    def published_digests(self, month: str) -> dict[str, str]: ...

    def published(self, month: str | None, province: str | None) -> tuple[list[dict], dict | None]:
        """The published months and one published document (the latest month when none is
        named; the country's, or a province's): at most two small reads."""

    def add_survey(self, answer: SurveyAnswer) -> bool:
        """The answer once, with its statistics cell; False when answered before."""

    def survey_answered(self, no: str) -> bool: ...

    def erase_survey_comment(self, no: str) -> bool:
        """Removes a survey answer's free-text comment; True if there was one."""


class ReferenceData(Protocol):
    def district(self, code: str) -> DistrictSettings | None:
        """A place's stored institutions; None when nobody stored any (the registry's
        standard ones apply: services/reference.place)."""

    def districts(self, codes: list[str]) -> dict[str, DistrictSettings]:
        """The stored ones among these places, in batches."""

    def save_district(self, settings: DistrictSettings) -> None:
        """Creates the settings (version None) or replaces them at their version; StaleCase otherwise."""

    def office(self, code: str) -> Office | None:
        """An office's stored settings; None when nobody set it up (domain/offices.Office.standard)."""

    def save_office(self, office: Office) -> None:
        """Creates (version None) or replaces at its version, StaleCase otherwise; the
        onboarded set follows `office.onboarded` in the same write."""

    def onboarded_offices(self) -> frozenset[str]:
        """The offices that take applications (one read)."""


class Counters(Protocol):
    def take(self, counter: Counter, limit: int, expires_at: datetime) -> bool:
        """Check and count at once (one conditional write): +1 if below `limit`, else
        nothing and False. Concurrent callers can never pass the limit together."""

    def give_back(self, counter: Counter) -> None:
        """Undo one take (an attempt that turned out legitimate)."""



class AuditLog(Protocol):
    def record(self, entry: AuditEntry) -> None: ...

    def trail(self, subject: str) -> list[dict]: ...


# --- messages, files, keys, time, identity -----------------------------------------------

class Publisher(Protocol):
    def ready(self) -> None:
        """One cheap call to the queues; raises when they cannot be reached."""

    def route(self, message: dict) -> None:
        """A message for the routing worker (built by services/routing_messages.py)."""

    def route_many(self, messages: list[dict]) -> None:
        """Several, in batches of ten."""

    def notify(self, notifications: list[Notification]) -> None:
        """Notifications for the notification worker, sealed on the way out."""

    def opened(self, message: dict) -> Notification:
        """A notification message as the worker receives it, unsealed; PoisonMessage when
        it is not one."""


class NotificationClaims(Protocol):
    def claim(self, dedup_key: str, channel: str, template: str, now: datetime) -> bool:
        """One conditional write: False when this notification was claimed before."""

    def release(self, dedup_key: str) -> None: ...

    def spend(self, budget: str, member: str, limit: int, expires_at: datetime) -> bool:
        """`member` spends one unit of `budget` if fewer than `limit` have: one conditional
        write. True also when `member` had spent it before (a redelivery counts once)."""

    def hold(self, application_no: str, dedup_key: str, channel: str, template: str, at: datetime) -> None:
        """Records that a notification about this case was not sent (over a budget), for
        the office to see; once per dedup key."""

    def held(self, application_no: str) -> list[dict]:
        """The notifications held for this case, oldest first: [{dedup_key, channel,
        template, at}]. One Query."""


class Senders(Protocol):
    """What sends: each delivery channel's sender (services/delivery_methods names them)."""

    def send_sms(self, phone: str, body: str) -> None: ...

    def send_email(self, to: str, subject: str, body: str) -> None: ...

    def post_webhook(self, url: str, body: bytes, headers: dict[str, str]) -> None:
        """An HTTPS POST to an institution's own system, bounded in time and size."""

    def surely_not_sent(self, exc: Exception) -> bool:
        """The provider refused the message, or could not be reached at all."""


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

    def take(self, key: str) -> str | None:
        """Moves an upload out of the expiring uploads/ prefix to a key only the server
        writes, before it is checked; the new key, or None when there is no upload. A copy
        taken before is returned as it is, never replaced by a later upload."""

    def delete_case_objects(self, application_no: str) -> int:
        """Deletes every object stored for the case; how many."""


class Keys(Protocol):
    def seal(self, plaintext: str, context: str) -> str: ...

    def unseal(self, token: str, context: str) -> str: ...

    def national_id_hash(self, national_id: str) -> str:
        """The keyed hash a person's applications are found by."""

    def access_code_hash(self, application_no: str, access_code: str) -> str: ...

    def verify_access_code(self, application_no: str, access_code: str, stored_hash: str) -> bool: ...

    def fingerprint(self, data: bytes) -> str: ...

    def sign_receipt(self, office: str, payload: bytes) -> bytes: ...

    def verify_receipt(self, office: str, payload: bytes, signature: bytes) -> bool: ...

    def signing_keys(self) -> SigningKeys: ...

    def refresh_signing_keys(self) -> bool: ...


class Clock(Protocol):
    def now(self) -> datetime: ...


class InvalidToken(Exception):
    """A staff token that is not valid (signature, issuer, audience, expiry, use, groups)."""


@dataclass
class SignInStep:
    """A step of a staff sign-in: the provider's tokens ({IdToken, AccessToken,
    RefreshToken, ExpiresIn}), or what it asks for next (NEW_PASSWORD_REQUIRED, MFA_SETUP,
    SOFTWARE_TOKEN_MFA) with the session to answer it in."""
    tokens: dict | None = None
    challenge: str | None = None
    session: str | None = None


class WrongAnswer(Exception):
    """A wrong password, code or session in a sign-in step."""


class WeakPassword(Exception):
    """A new password the provider's policy refuses (its reason in English)."""


class StaffIdentity(Protocol):
    """The identity provider's side of a staff member (Cognito in AWS): sign-in with its
    challenges (a new password at first sign-in, two-factor set-up and codes), tokens,
    and the admin side (invitations, roles and scope, enabling, two-factor reset)."""

    def sign_in(self, username: str, password: str) -> SignInStep:
        """WrongAnswer for a wrong user or password (or a disabled user)."""

    def respond(self, username: str, challenge: str, session: str, answer: dict) -> SignInStep:
        """Answers a challenge: NEW_PASSWORD_REQUIRED {"NEW_PASSWORD"} (WeakPassword when
        the policy refuses it), SOFTWARE_TOKEN_MFA {"SOFTWARE_TOKEN_MFA_CODE"}, MFA_SETUP {}
        (after mfa_verify); WrongAnswer for a wrong code or a spent session."""

    def mfa_secret(self, *, session: str | None = None, access_token: str | None = None) -> tuple[str, str | None]:
        """A new TOTP secret for the user of a session (or of an access token), and the
        session to verify it in."""

    def mfa_verify(self, code: str, *, session: str | None = None, access_token: str | None = None) -> str | None:
        """Checks a first code of the new secret; the session to finish in. WrongAnswer
        when the code is wrong."""

    def mfa_enrolled(self, username: str) -> bool: ...

    def enable_mfa(self, username: str) -> None:
        """Two-factor on, and the TOTP app the preferred factor."""

    def reset_mfa(self, member: StaffMember, email: str, temporary_password: str) -> None:
        """A lost phone: the user's sign-in is made anew, as at the invitation (a temporary
        password, then a new password and a new TOTP app at the next sign-in); every session
        ends. (Cognito cannot forget a TOTP app while MFA is required, so its adapter deletes
        and re-creates the user; the access record in the directory stays as it is.)"""

    def invite(self, member: StaffMember, email: str, temporary_password: str) -> None:
        """Creates the user with a temporary password (changed at first sign-in) and
        mirrors its role and scope; the platform sends the invitation itself."""

    def verify(self, token: str) -> Principal:
        """The principal a token claims, once its signature and claims are checked;
        raises InvalidToken."""

    def exists(self, username: str) -> bool: ...

    def apply(self, member: StaffMember, *, sign_out: bool) -> None:
        """Mirror role, scope and enabled into the provider; with `sign_out`, end every
        session the user has (refresh tokens stop working)."""


# --- what the composition root hands over --------------------------------------------------

@dataclass
class Caches:
    """Per-container caches of the services, owned by the ports object that the composition
    root builds (a fresh Ports is a fresh set of caches: nothing to clear by hand)."""
    staff: dict = field(default_factory=dict)       # username -> (StaffMember | None, read at)
    partners: dict = field(default_factory=dict)    # key hash -> (Partner | None, read at)
    offices: dict = field(default_factory=dict)     # "onboarded" -> (frozenset of office codes, read at)


@dataclass
class Ports:
    """Everything a service may touch, handed over by the composition root."""
    cases: CaseRepository
    directory: StaffDirectory
    partners: PartnerKeys
    phone_codes: PhoneCodes
    subject_requests: SubjectRequests
    statistics: Statistics
    reference: ReferenceData
    counters: Counters
    audit: AuditLog
    publisher: Publisher
    storage: BlobStorage
    keys: Keys
    clock: Clock
    identity: StaffIdentity
    claims: NotificationClaims
    senders: Senders
    caches: Caches = field(default_factory=Caches)
