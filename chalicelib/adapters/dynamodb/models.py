"""pynamodb models for the two tables defined in infra/template.json. Key formats and
index names are in itemkeys.py; the mapping from domain objects is in mapping.py.
Table names and the region come from config.py, read when this module is imported."""
from __future__ import annotations

from pynamodb.attributes import (
    BinaryAttribute,
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    VersionAttribute,
)
from pynamodb.connection import Connection
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection, KeysOnlyProjection
from pynamodb.models import Model

from ...config import settings
from ...domain.open_stats import FIELDS
from .. import aws

REGION = settings().region
MAIN_TABLE = settings().main_table
AUDIT_TABLE = settings().audit_table


def _table(name: str) -> type:
    """The pynamodb Meta of a model stored in table `name` (several models share the main
    table), with the short timeouts of adapters/aws.py."""
    return type("Meta", (), {"table_name": name, "region": REGION, "connect_timeout_seconds": aws.CONNECT_TIMEOUT,
                             "read_timeout_seconds": aws.READ_TIMEOUT, "max_retry_attempts": aws.MAX_ATTEMPTS - 1})


class _Item(Model):
    """Every model's base: its connection keeps pynamodb's table description but sends
    through the container's one DynamoDB client (adapters/aws.py). pynamodb gives each
    model class its own botocore session and client otherwise, made on the model's first
    call (pynamodb issues #876, #1245): about 30 ms for each model a container used for the
    first time, cold or warm."""

    @classmethod
    def _get_connection(cls):
        table = super()._get_connection()
        if not isinstance(table.connection, _SharedClient):
            meta = table.get_meta_table()
            table.connection = _SharedClient(region=REGION)
            table.connection.add_meta_table(meta)
        return table


class _SharedClient(Connection):
    """A model's connection: its table's description, the container's one client (looked
    up on every call, so that clients the composition root builds anew are used at once)."""

    @property
    def session(self):
        return aws.current().botocore_session()

    @property
    def client(self):
        return dynamodb_client()


# What the queue shows of a case: the only attributes the case indexes copy (never the
# sealed personal data, never what changes on every save such as the version or history).
QUEUE_ATTRIBUTES = ["application_no", "status", "case_type", "category", "district", "province", "office", "subject",
                    "received_at", "legal_due_date", "sla_due_date", "institutions", "institution_ids",
                    "concluded_at", "channel", "partner_name", "repeat_of", "outcome", "geocell"]
# what the repeat check compares of the same applicant's other applications: only what a
# case is filed with (never the sealed personal data, never the status or the conclusion),
# so that the copy is written once and no later change of the case rewrites it
APPLICANT_ATTRIBUTES = ["application_no", "case_type", "category", "district", "province", "subject",
                        "received_at", "text_sketch", "office"]


def _index(name: str, hash_attr: str, range_attr: str, projection):
    class _Meta:
        index_name = name

    _Meta.projection = projection

    attrs = {"Meta": _Meta,
             hash_attr: UnicodeAttribute(hash_key=True),
             range_attr: UnicodeAttribute(range_key=True)}
    return type(f"Index_{name}", (GlobalSecondaryIndex,), attrs)


OpenByDistrict = _index("open_by_district", "gsi1pk", "gsi1sk", IncludeProjection(QUEUE_ATTRIBUTES))
ByDistrictStatus = _index("by_district_status", "gsi2pk", "gsi2sk", IncludeProjection(QUEUE_ATTRIBUTES))
ByApplicant = _index("by_applicant", "gsi3pk", "gsi3sk", IncludeProjection(APPLICANT_ATTRIBUTES))
OpenByProvince = _index("open_by_province", "gsi4pk", "gsi4sk", IncludeProjection(QUEUE_ATTRIBUTES))
Sweep = _index("sweep", "sweep_pk", "sweep_sk", IncludeProjection(["district"]))
# what a partner's request list filters on, so that only the page's items are read in full
PARTNER_ATTRIBUTES = ["status", "category", "district", "received_at"]
ByPartner = _index("by_partner", "gsi5pk", "gsi5sk", IncludeProjection(PARTNER_ATTRIBUTES))
# an institution's open assignments (its inbox), by SLA due date: only open ones are in it
OpenByInstitution = _index("open_by_institution", "gsi6pk", "gsi6sk", KeysOnlyProjection())
# an office's (or a province's, or the admins') staff members
StaffByScope = _index("staff_by_scope", "gsi7pk", "gsi7sk", AllProjection())


class HistoryMap(MapAttribute):
    at = UnicodeAttribute()
    status = UnicodeAttribute()
    note = UnicodeAttribute(null=True)
    public = BooleanAttribute(default=True)
    actor = UnicodeAttribute(default="system")
    event = UnicodeAttribute(null=True)


class CaseItem(_Item):
    Meta = _table(MAIN_TABLE)

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    entity = UnicodeAttribute(default="case")
    application_no = UnicodeAttribute()
    access_hash = UnicodeAttribute()
    case_type = UnicodeAttribute()
    law = UnicodeAttribute()
    category = UnicodeAttribute()
    district = UnicodeAttribute()
    province = UnicodeAttribute()
    office = UnicodeAttribute(null=True)     # the handling office (domain/offices); None before offices
    subject = UnicodeAttribute()
    description_enc = UnicodeAttribute()
    applicant_enc = UnicodeAttribute()
    nid_hash = UnicodeAttribute(null=True)        # items written before: the same HMAC is in gsi3pk
    channel = UnicodeAttribute()
    received_at = UnicodeAttribute()
    receipt_date = UnicodeAttribute()
    legal_due_date = UnicodeAttribute(null=True)   # none for a thanks: no answer owed
    status = UnicodeAttribute()
    confidential = BooleanAttribute(default=False)
    location = MapAttribute(null=True)            # items written before locations were sealed
    location_enc = UnicodeAttribute(null=True)    # sealed like the applicant: it can reveal a home
    place_enc = UnicodeAttribute(null=True)       # the chosen neighbourhood and street, sealed the same way
    geocell = UnicodeAttribute(null=True)         # domain/nearby.cell: about 1 km, for related cases
    text_sketch = UnicodeAttribute(null=True)     # domain/repeats.sketch: keyed digests of the description
    pair_fp = UnicodeAttribute(null=True)         # domain/otp.pair_fingerprint: the PAIR# item that lists it
    history = ListAttribute(of=HistoryMap, null=True)   # items written before log_z
    extended = BooleanAttribute(default=False)
    outcome = UnicodeAttribute(null=True)
    final_answer = UnicodeAttribute(null=True)
    concluded_at = UnicodeAttribute(null=True)
    recorded_at = UnicodeAttribute(null=True)
    forwards = NumberAttribute(default=0)
    institutions = ListAttribute(of=MapAttribute, default=list)
    review_reason = UnicodeAttribute(null=True)
    notes = ListAttribute(of=MapAttribute, null=True)   # items written before log_z
    # the history, the office notes and every final answer, as compressed JSON: a case is
    # rewritten whole on every change and billed per 1 KB, and these are most of it
    log_z = BinaryAttribute(null=True, legacy_encoding=False)
    institution_ids = ListAttribute(null=True)
    sla_due_date = UnicodeAttribute(null=True)
    np_reason = UnicodeAttribute(null=True)
    merged_into = UnicodeAttribute(null=True)
    legal_warned_for = UnicodeAttribute(null=True)
    extension_warned = BooleanAttribute(default=False)
    objected_at = UnicodeAttribute(null=True)
    final_answers = ListAttribute(of=MapAttribute, null=True)
    legal_remedies = UnicodeAttribute(null=True)
    reopened_on = UnicodeAttribute(null=True)
    partner_id = UnicodeAttribute(null=True)      # filed through Open311 by this partner
    partner_name = UnicodeAttribute(null=True)
    media_url = UnicodeAttribute(null=True)
    legal_hold = MapAttribute(null=True)          # KVKK: {reason, by, at}; kept from destruction
    phone_verified = BooleanAttribute(default=False)   # filed within a phone-verified citizen session
    identity_verification = UnicodeAttribute(null=True)   # "desk": identity card seen at the desk
    citizen_files = ListAttribute(of=MapAttribute, null=True)
    possible_repeat = MapAttribute(null=True)     # {of, score, at[, dismissed: {by, reason, at}]}
    referral = MapAttribute(null=True)            # {ground, source, institution_id, authority, at}
    repeat_of = UnicodeAttribute(null=True)       # the earlier number while the flag stands (queue rows)
    anonymised_at = UnicodeAttribute(null=True)
    # an archived case (domain/retention.archivable) is only its index item: what the indexes
    # copy, its keys and version, and where its file is (adapters/archive.py)
    archived_at = UnicodeAttribute(null=True)
    archive_key = UnicodeAttribute(null=True)
    version = VersionAttribute()

    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    gsi3pk = UnicodeAttribute(null=True)
    gsi3sk = UnicodeAttribute(null=True)
    gsi4pk = UnicodeAttribute(null=True)
    gsi4sk = UnicodeAttribute(null=True)
    sweep_pk = UnicodeAttribute(null=True)
    sweep_sk = UnicodeAttribute(null=True)
    gsi5pk = UnicodeAttribute(null=True)
    gsi5sk = UnicodeAttribute(null=True)

    open_by_district = OpenByDistrict()
    by_district_status = ByDistrictStatus()
    by_applicant = ByApplicant()
    open_by_province = OpenByProvince()
    sweep = Sweep()
    by_partner = ByPartner()


class StatsItem(_Item):
    """A district's counters (domain/stats.py): maps of status -> n and week -> n."""
    Meta = _table(MAIN_TABLE)

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    status = MapAttribute(default=dict)
    intake = MapAttribute(default=dict)
    concluded = MapAttribute(default=dict)
    on_time = MapAttribute(default=dict)


def _month_cell_model():
    """One (month, district, type) cell of the open statistics (domain/open_stats.py): one
    number attribute per count (received, concluded, d<days>, survey_sum...), so that an
    update is DynamoDB's ADD, which creates the item and the attribute when missing: the
    first application of a month needs no extra write."""
    attrs = {"Meta": _table(MAIN_TABLE), "__doc__": _month_cell_model.__doc__, "__module__": __name__,
             "pk": UnicodeAttribute(hash_key=True), "sk": UnicodeAttribute(range_key=True),
             **{name: NumberAttribute(null=True) for name in FIELDS}}
    return type("MonthCellItem", (_Item,), attrs)


MonthCellItem = _month_cell_model()


class PublishedStatsItem(_Item):
    """A month's published statistics (the roll-up's output): the rows of the country
    (sk NATIONAL) or of one province and its districts (sk P#<code>), as JSON; and the
    list of published months (pk OPENSTATS, sk INDEX)."""
    Meta = _table(MAIN_TABLE)

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    body = UnicodeAttribute()
    rolled_at = UnicodeAttribute()


class PartnerItem(_Item):
    """An Open311 partner key: only the key's HMAC is stored (in the sort key). `win` and
    `win_uses` are the current one-minute rate window; `uses` counts every call."""
    Meta = _table(MAIN_TABLE)

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    partner_id = UnicodeAttribute()
    name = UnicodeAttribute()
    contact = UnicodeAttribute()
    districts = ListAttribute(default=list)
    rate_limit = NumberAttribute()
    created_at = UnicodeAttribute()
    created_by = UnicodeAttribute(default="")
    revoked_at = UnicodeAttribute(null=True)
    uses = NumberAttribute(default=0)
    last_used_at = UnicodeAttribute(null=True)
    win = NumberAttribute(default=0)
    win_uses = NumberAttribute(default=0)


class IdempotencyItem(_Item):
    Meta = _table(MAIN_TABLE)

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="IDEM")
    request_hash = UnicodeAttribute()
    status_code = NumberAttribute()
    response_enc = UnicodeAttribute()
    expires_at = TTLAttribute()


class CounterItem(_Item):
    Meta = _table(MAIN_TABLE)

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    count = NumberAttribute(default=0)
    members = UnicodeSetAttribute(null=True)
    expires_at = TTLAttribute(null=True)


class AuditItem(_Item):
    Meta = _table(AUDIT_TABLE)

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    actor = UnicodeAttribute()
    role = UnicodeAttribute()
    action = UnicodeAttribute()
    source_ip = UnicodeAttribute(null=True)
    detail = MapAttribute(null=True)
    expires_at = TTLAttribute(null=True)      # KVKK retention policy: `audit`


class SubjectRequestItem(_Item):
    """A data-subject request (KVKK art. 11): the national id sealed, its keyed hash to
    find the person's cases. Listed per district and status through by_district_status."""
    Meta = _table(MAIN_TABLE)

    pk = UnicodeAttribute(hash_key=True)      # DSR#<id>
    sk = UnicodeAttribute(range_key=True, default="DSR")
    district = UnicodeAttribute()
    national_id_enc = UnicodeAttribute()
    nid_hash = UnicodeAttribute()
    kind = UnicodeAttribute()
    channel = UnicodeAttribute()
    received_on = UnicodeAttribute()
    registered_by = UnicodeAttribute()
    registered_at = UnicodeAttribute()
    status = UnicodeAttribute()
    answer = UnicodeAttribute(null=True)
    closed_at = UnicodeAttribute(null=True)
    closed_by = UnicodeAttribute(null=True)
    warned = BooleanAttribute(default=False)
    log = ListAttribute(of=MapAttribute, default=list)
    version = VersionAttribute()
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    sweep_pk = UnicodeAttribute(null=True)
    sweep_sk = UnicodeAttribute(null=True)

    by_district_status = ByDistrictStatus()
    sweep = Sweep()


class OtpItem(_Item):
    """A phone-verification code: only its keyed hash, 5 tries, a 5-minute TTL."""
    Meta = _table(MAIN_TABLE)

    pk = UnicodeAttribute(hash_key=True)      # OTP#<hmac(national id, phone)>
    sk = UnicodeAttribute(range_key=True, default="OTP")
    code_hash = UnicodeAttribute()
    tries = NumberAttribute(default=0)
    valid_until = NumberAttribute()           # unix seconds: checked in the condition
    expires_at = TTLAttribute()


class DestructionLogItem(_Item):
    """One destroyed record (KVKK): what, when, under which rule, which job run. No
    personal data; DynamoDB's TTL removes it after 3 years."""
    Meta = _table(MAIN_TABLE)

    pk = UnicodeAttribute(hash_key=True)      # DLOG#<district>
    sk = UnicodeAttribute(range_key=True)     # <at>#<no>#<record>#<ref>
    application_no = UnicodeAttribute()
    record = UnicodeAttribute()
    ref = UnicodeAttribute()
    rule = UnicodeAttribute()
    run_id = UnicodeAttribute()
    at = UnicodeAttribute()
    expires_at = TTLAttribute()


class InstitutionMap(MapAttribute):
    id = UnicodeAttribute()
    kind = UnicodeAttribute()
    name = UnicodeAttribute()
    liaison_email = UnicodeAttribute(null=True)
    sla_days = NumberAttribute(null=True)
    send_method = UnicodeAttribute(null=True)
    endpoint = UnicodeAttribute(null=True)
    confirmed = BooleanAttribute(null=True)      # None on rows written before: they were confirmed
    detsis = UnicodeAttribute(null=True)
    active = BooleanAttribute(null=True)
    inbox_digest = BooleanAttribute(null=True)
    inbox_generation = NumberAttribute(null=True)


class DistrictRefItem(_Item):
    """A place's institutions (the registry's rows for it): one item, so that routing
    reads them together with the case in a single call."""
    Meta = _table(MAIN_TABLE)

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="REF")
    district = UnicodeAttribute()
    institutions = ListAttribute(of=InstitutionMap, default=list)
    version = VersionAttribute()


class OfficeItem(_Item):
    """An office's settings (domain/offices.Office), read with the case by routing."""
    Meta = _table(MAIN_TABLE)

    pk = UnicodeAttribute(hash_key=True)          # OFFICE#<code>
    sk = UnicodeAttribute(range_key=True, default="REF")
    code = UnicodeAttribute()
    kind = UnicodeAttribute()
    province = UnicodeAttribute(null=True)
    name = UnicodeAttribute()
    serves = ListAttribute(of=UnicodeAttribute, default=list)
    email = UnicodeAttribute(null=True)
    supervisor_email = UnicodeAttribute(null=True)
    address = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    kep = UnicodeAttribute(null=True)
    detsis = UnicodeAttribute(null=True)
    onboarded = BooleanAttribute(default=False)
    auto_forward = BooleanAttribute(default=False)
    routing = MapAttribute(null=True)             # subject code -> [institution kinds]
    version = VersionAttribute()


class StaffItem(_Item):
    """A staff member's role and scope, written by admins only (see domain.principal)."""
    Meta = _table(MAIN_TABLE)

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="STAFF")
    username = UnicodeAttribute()
    role = UnicodeAttribute()
    district = UnicodeAttribute(null=True)
    province = UnicodeAttribute(null=True)
    enabled = BooleanAttribute(default=True)
    email = UnicodeAttribute(null=True)
    name = UnicodeAttribute(null=True)
    gsi7pk = UnicodeAttribute(null=True)
    gsi7sk = UnicodeAttribute(null=True)
    by_scope = StaffByScope()
    version = VersionAttribute()


class AnswerMap(MapAttribute):
    at = UnicodeAttribute()
    text = UnicodeAttribute()
    outcome = UnicodeAttribute()
    responder_name = UnicodeAttribute()
    responder_title = UnicodeAttribute()
    attachments = ListAttribute(of=MapAttribute, default=list)
    returned_note = UnicodeAttribute(null=True)


class AssignmentItem(_Item):
    Meta = _table(MAIN_TABLE)

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    entity = UnicodeAttribute(default="assignment")
    application_no = UnicodeAttribute()
    district = UnicodeAttribute()
    institution_id = UnicodeAttribute()
    institution_kind = UnicodeAttribute()
    institution_name = UnicodeAttribute()
    liaison_email = UnicodeAttribute(null=True)
    send_method = UnicodeAttribute(null=True)
    endpoint = UnicodeAttribute(null=True)
    inbox_digest = BooleanAttribute(null=True)    # its institution reads a daily digest, not per-case reminders
    subject = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    dispatched_at = UnicodeAttribute()
    sla_due_date = UnicodeAttribute()
    forward_id = NumberAttribute()
    link_generation = NumberAttribute(default=1)
    answers = ListAttribute(of=AnswerMap, default=list)
    notes = ListAttribute(of=MapAttribute, default=list)
    reminded_for = UnicodeAttribute(null=True)
    redirect = MapAttribute(null=True)
    contact_shared = MapAttribute(null=True)
    sweep_pk = UnicodeAttribute(null=True)
    sweep_sk = UnicodeAttribute(null=True)
    gsi6pk = UnicodeAttribute(null=True)          # I#<institution id>, while the assignment is open
    gsi6sk = UnicodeAttribute(null=True)          # <sla due>#<no>
    version = VersionAttribute()

    sweep = Sweep()
    open_by_institution = OpenByInstitution()


class NotificationItem(_Item):
    """The claim that makes a notification happen once: written with
    attribute_not_exists(pk) before the send."""
    Meta = _table(MAIN_TABLE)

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="NOTE")
    channel = UnicodeAttribute()
    template = UnicodeAttribute()
    claimed_at = UnicodeAttribute()
    expires_at = TTLAttribute(null=True)


class PairItem(_Item):
    """The applications filed with one (national id, phone) pair, under its keyed
    fingerprint (domain/otp.pair_fingerprint): a phone code request is one GetItem of it.
    Kept in the transaction of each save that adds, moves or destroys the pair."""
    Meta = _table(MAIN_TABLE)

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="PAIR")
    nos = UnicodeSetAttribute(null=True)


class HeldNotificationItem(_Item):
    """A notification the worker did not send (over the phone's daily SMS budget), under
    the case's number, for the office to see."""
    Meta = _table(MAIN_TABLE)

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    channel = UnicodeAttribute()
    template = UnicodeAttribute()
    at = UnicodeAttribute()
    expires_at = TTLAttribute(null=True)


class RegistryItem(_Item):
    """The onboarded offices: where applications go, what the daily digest walks."""
    Meta = _table(MAIN_TABLE)

    pk = UnicodeAttribute(hash_key=True)     # REF#OFFICES
    sk = UnicodeAttribute(range_key=True)    # REF
    offices = UnicodeSetAttribute(null=True)


class SurveyItem(_Item):
    """A satisfaction answer: statistics only, no personal data."""
    Meta = _table(MAIN_TABLE)

    pk = UnicodeAttribute(hash_key=True)     # SURVEY#<no>
    sk = UnicodeAttribute(range_key=True)    # SURVEY
    rating = NumberAttribute()
    comment = UnicodeAttribute(null=True)
    district = UnicodeAttribute()
    category = UnicodeAttribute()
    outcome = UnicodeAttribute(null=True)
    answered_on = UnicodeAttribute()
    type = UnicodeAttribute(null=True)


class RouteMarker(_Item):
    """Written with every new case, before the case item carried its own re-route slot
    (mapping.case_to_item: `R#<shard>` while the case is received). No longer written;
    store.due_routes deletes those left once their case has been routed."""
    Meta = _table(MAIN_TABLE)

    pk = UnicodeAttribute(hash_key=True)     # ROUTE#<no>
    sk = UnicodeAttribute(range_key=True)    # ROUTE
    district = UnicodeAttribute()
    sweep_pk = UnicodeAttribute(null=True)
    sweep_sk = UnicodeAttribute(null=True)
    expires_at = TTLAttribute(null=True)

    sweep = Sweep()


def transaction_connection():
    """The pynamodb Connection for TransactWrite and TransactGet: the container's one."""
    return aws.current().dynamodb()


def dynamodb_client():
    """The container's one DynamoDB botocore client (pynamodb's settings: short timeouts,
    MAX_ATTEMPTS attempts), for the few calls written in DynamoDB's own JSON."""
    return transaction_connection().client
