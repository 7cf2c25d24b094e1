"""Every answer of the API other than a submission's receipt and the errors (see __init__)."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from . import _Out


class HistoryOut(_Out):
    at: str
    status: str
    note: str | None = None


class ReplacedAnswerOut(_Out):
    at: str | None
    outcome: str | None


class ReleasedFileOut(_Out):
    filename: str
    institution: str | None = None
    url: str = Field(description="Short-lived presigned download")


class FinalAnswerOut(_Out):
    outcome: str
    text: str
    at: str | None
    legal_remedies: str | None = Field(default=None, description="4982 art. 12: how to challenge a refusal")
    replaces: list[ReplacedAnswerOut] = Field(default_factory=list,
                                              description="Earlier final answers this one replaced, oldest first")
    under_review: bool = Field(default=False, description="The citizen objected: the answer is being reviewed")
    attachments: list[ReleasedFileOut] = Field(default_factory=list,
                                               description="Institution documents sent out with the answer")


class _CaseHeader(_Out):
    """What every list and view of a case starts with."""
    application_no: str
    status: str
    type: str
    category: str
    district: str
    subject: str
    received_at: str
    legal_due_date: str | None = Field(description="YYYY-MM-DD; null when no answer is owed (a thanks)")


class TrackOut(_CaseHeader):
    law: str = Field(default="3071", description="3071 (petitions) or 4982 (information requests)")
    office: dict[str, str] | None = Field(default=None, description="{code, name}: the office handling it")
    history: list[HistoryOut]
    final_answer: FinalAnswerOut | None = None
    legal_remedies: str | None = Field(default=None, description="The remedies a refusal to examine states")
    answer_owed: bool = True
    can_reply: bool = False
    can_object: bool = False
    objection_deadline: str | None = Field(default=None, description="The last day (YYYY-MM-DD) an objection is "
                                                                     "accepted, until its end, İstanbul time")
    objection_deadline_end: str | None = Field(default=None, description="That day's last second, with offset")
    survey_token: str | None = Field(default=None, description="Signed survey token once concluded")
    attachments: list[dict[str, Any]] = Field(default_factory=list, description="The citizen's own files")
    can_attach: bool = False


class NoticeSectionOut(_Out):
    title: str
    text: str


class NoticeOut(_Out):
    controller: str = Field(description="The office that is the controller, with its address and contact")
    abroad: bool = Field(description="The data is held outside Türkiye (a transfer under KVKK art. 9)")
    sections: list[NoticeSectionOut]


class NeighbourhoodsOut(_Out):
    district: str
    neighbourhoods: list[str] = Field(description="Its mahalle and köy, in Turkish alphabetical order; empty "
                                                  "for a province as a whole")


class SurveyStatusOut(_Out):
    application_no: str
    answered: bool


class StatsRowOut(_Out):
    level: Literal["national", "province", "district"]
    province: str | None = None
    province_name: str | None = None
    district: str | None = None
    district_name: str | None = None
    type: str = Field(description="An application type's code, or `all`")
    received: int | None = Field(description="null when hidden: fewer than 5, or to protect a hidden cell")
    concluded: int | None
    not_processed: int | None
    median_days: float | None = Field(description="Calendar days from receipt to conclusion; null below 5 cases")
    on_time_share: float | None = Field(description="Percent concluded by the legal due date; null below 5 cases")
    survey_average: float | None = Field(description="1-5; null below 5 answers")


class StatsMonthOut(_Out):
    month: str
    provisional: bool


class StatsOut(_Out):
    month: str | None = Field(description="YYYY-MM; null before anything is published")
    provisional: bool | None = Field(description="True for the current month, rolled up daily")
    months: list[StatsMonthOut]
    province: str | None
    rows: list[StatsRowOut]
    min_count: int
    format: Literal["json"]


class HealthOut(_Out):
    status: Literal["ok"]


class CheckOut(_Out):
    ok: bool
    ms: int
    error: str | None = Field(default=None, description="The exception's type, never its message")


class ReadyOut(_Out):
    status: Literal["ready", "unavailable"]
    checks: dict[str, CheckOut]


# --- the institution -------------------------------------------------------------------------

class AttachmentOut(_Out):
    id: str
    filename: str
    url: str = Field(description="Presigned download URL, short-lived")


class AnswerOut(_Out):
    at: str
    text: str
    outcome: str
    responder_name: str
    responder_title: str
    returned_note: str | None = None
    attachments: list[AttachmentOut]


class NamedRef(_Out):
    id: str
    name: str


class InstitutionChoice(NamedRef):
    kind: str
    confirmed: bool = Field(description="False: no office confirmed its liaison address yet; nothing is forwarded "
                                        "to it")


class InstitutionCaseOut(_Out):
    application_no: str
    type: str
    type_name: str
    category: str
    category_name: str
    district: str
    district_name: str
    subject: str
    description: str
    location: dict[str, Any] | None = None
    place: dict[str, Any] | None = Field(default=None, description="Where the matter is: {neighbourhood, street?}")
    received_at: str
    receipt_date: str
    legal_due_date: str | None
    sla_due_date: str
    institution: NamedRef
    status: str
    answers: list[AnswerOut]
    notes: list[dict[str, Any]]
    applicant: dict[str, Any] | None = Field(description="None when the reporter's identity is withheld")
    identity_withheld: bool
    read_only: bool
    can_answer: bool
    can_extend: bool
    extended: bool
    referral: dict[str, Any] | None = Field(default=None, description="The case was sent to this authority to decide: "
                                                                      "{ground, source}; nothing is answered here")
    contact_shared: bool = Field(description="The office shared the applicant's phone and e-mail with this institution")
    citizen_attachments: list[dict[str, Any]] = Field(default_factory=list,
                                                      description="The citizen's photos and documents (metadata stripped)")


class UploadFormOut(_Out):
    attachment_id: str
    filename: str
    upload: dict[str, Any] = Field(description="Presigned POST: url and fields")
    expires_at: str
    max_bytes: int


# --- the office --------------------------------------------------------------------------------

class UserOut(_Out):
    username: str
    role: str
    district: str
    province: str


class SessionOut(_Out):
    """The tokens, or the next step of the sign-in (`challenge` with its `session`)."""
    id_token: str | None = None
    access_token: str | None = None
    refresh_token: str | None = None
    expires_in: int | None = None
    user: UserOut | None = None
    challenge: Literal["new_password", "mfa_setup", "mfa_code"] | None = None
    session: str | None = None
    secret: str | None = Field(default=None, description="At set-up: the TOTP secret, to type into the app")
    otpauth_uri: str | None = None
    qr: str | None = Field(default=None, description="At set-up: the otpauth URI as a QR code (SVG data URI)")


class AssignmentOut(_Out):
    institution_id: str
    institution_name: str
    status: str
    dispatched_at: str
    sla_due_date: str
    link_generation: int
    redirect: dict[str, Any] | None = None
    notes: list[dict[str, Any]]
    answers: list[AnswerOut]
    contact_shared: dict[str, Any] | None = Field(default=None, description="{at, by, reason} when shared")


class StaffHistoryOut(_Out):
    at: str
    status: str
    status_name: str = Field(description="The status in Turkish")
    note: str | None = None
    public: bool
    actor: str | None = None
    actor_name: str = Field(description="Who acted, as a person reads it")
    event: str | None = None


class MaskedApplicantOut(_Out):
    first_name: str
    last_name: str
    national_id_masked: str
    phone_masked: str
    email: str | None = None
    address: str | None = None


class ReasonCode(_Out):
    code: str
    name: str


class CaseDetailOut(_Out):
    application_no: str
    version: int
    status: str
    type: str
    type_name: str
    category: str
    category_name: str
    district: str
    district_name: str
    subject: str
    description: str
    channel: str
    partner_name: str | None = Field(default=None, description="The Open311 partner that filed it")
    media_url: str | None = Field(default=None, description="The photo link an Open311 partner sent")
    legal_hold: dict[str, Any] | None = Field(default=None, description="KVKK: kept from destruction ({reason, by, at})")
    anonymised_at: str | None = Field(default=None, description="KVKK: when its personal data was destroyed")
    possible_repeat: dict[str, Any] | None = Field(default=None, description="“Olası tekrar”: {of, subject, score, at, "
                                                                             "dismissed?}")
    law: str = Field(default="3071", description="3071 (petitions) or 4982 (information requests)")
    phone_verified: bool = Field(default=False, description="Filed within a session whose phone was verified by an SMS "
                                                            "code: control of the phone, not identity")
    held_messages: list[dict[str, Any]] = Field(default_factory=list, description="SMS not sent to the applicant "
                                                "because the phone's daily budget was spent: {template, name, at}")
    identity_verification: str | None = Field(default=None, description="How the applicant's identity was verified "
                                                                        "(\"desk\": an identity card seen at the "
                                                                        "desk); None: not verified")
    referral: dict[str, Any] | None = Field(default=None, description="Sent to the competent authority: {ground, "
                                                                      "source, institution_id, authority, at}")
    citizen_attachments: list[dict[str, Any]] = Field(default_factory=list,
                                                      description="The citizen's photos and documents (metadata stripped)")
    location: dict[str, Any] | None = None
    place: dict[str, Any] | None = Field(default=None, description="Where the matter is: {neighbourhood, street?}")
    received_at: str
    recorded_at: str | None = None
    legal_due_date: str | None
    days_left: int | None
    answer_owed: bool
    reopened_on: str | None = None
    sla_due_date: str | None = None
    extended: bool
    confidential_identity: bool
    review_reason: str | None = None
    not_processed_reason: str | None = None
    merged_into: str | None = None
    applicant: MaskedApplicantOut
    history: list[StaffHistoryOut]
    assignments: list[AssignmentOut]
    notes: list[dict[str, Any]]
    outcome: str | None = None
    final_answer: str | None = None
    concluded_at: str | None = None
    legal_remedies: str | None = None
    final_answers: list[dict[str, Any]] = Field(description="Every final answer given, oldest first")
    legal_remedies_template: str | None = Field(default=None, description="The remedies every refusal of this case "
                                                                          "states (4982 or Constitution art. 40/2)")
    allowed_actions: list[str]
    district_institutions: list[InstitutionChoice] | None = Field(
        default=None, description="When an action is allowed: the place's institutions and its province's")
    suggested_institution_ids: list[str] | None = Field(
        default=None, description="The institutions routing's rules name as competent for the subject")
    reason_codes: list[ReasonCode] | None = None
    referral_grounds: list[dict[str, Any]] | None = None
    extension_grounds: list[ReasonCode] | None = None


class QueueItemOut(_CaseHeader):
    legal_days_left: int | None
    sla_due_date: str | None = None
    sla_days_left: int | None = None
    overdue: bool
    institutions: list[str]
    channel: str | None = None
    partner_name: str | None = None
    repeat_of: str | None = Field(default=None, description="“Olası tekrar”: the earlier application it may repeat")


class QueuePageOut(_Out):
    items: list[QueueItemOut]
    next_cursor: str | None = Field(description="Opaque; pass back as `cursor` for the next page")
    partial: bool = Field(default=False, description="The page stopped at the bound of items one page may read "
                                                     "before it was full: more may match; go on with the cursor")


class WeekOut(_Out):
    week: str
    count: int


class DashboardOut(_Out):
    district: str
    district_name: str
    counts: dict[str, int]
    open: int
    this_week_intake: int
    concluded_recently: int
    on_time_recently: int
    on_time_rate: float | None = None
    weekly_volume: list[WeekOut]


class ProvinceRowOut(_Out):
    office: str
    office_name: str
    counts: dict[str, int]
    open: int
    this_week_intake: int
    concluded_recently: int
    on_time_rate: float | None = None


class ProvinceTotalsOut(_Out):
    open: int
    this_week_intake: int
    concluded_recently: int
    on_time_rate: float | None = None
    offices: int


class ProvinceDashboardOut(_Out):
    province: str
    province_name: str
    totals: ProvinceTotalsOut
    rows: list[ProvinceRowOut]


class RevealOut(_Out):
    application_no: str
    national_id: str
    phone: str


class AuditEntryOut(_Out):
    at: str
    actor: str
    role: str
    action: str
    source_ip: str | None = None
    detail: dict[str, Any]


class AuditTrailOut(_Out):
    application_no: str
    entries: list[AuditEntryOut]


class InstitutionSettingsOut(_Out):
    id: str
    kind: str
    name: str
    liaison_email: str | None = None
    sla_days: int | None = None
    send_method: str
    endpoint: str | None = None
    confirmed: bool
    detsis: str | None = None
    active: bool
    inbox_digest: bool = False


class DistrictOut(_Out):
    """A place's institutions (the registry's rows for it); version null: the standard ones."""
    district: str
    office: str = Field(description="The office whose place it is")
    version: int | None = None
    institutions: list[InstitutionSettingsOut]


class OfficeSettingsOut(_Out):
    code: str
    kind: str
    province: str | None = None
    name: str
    serves: list[str]
    email: str | None = None
    supervisor_email: str | None = None
    address: str | None = None
    phone: str | None = None
    kep: str | None = None
    detsis: str | None = None
    onboarded: bool
    auto_forward: bool
    routing: dict[str, list[str]] = Field(description="Subject code -> institution kinds, where this office's rule "
                                                      "differs from the national one")
    version: int | None = None


class StaffUserOut(_Out):
    username: str
    role: str
    district: str | None = None
    province: str | None = None
    enabled: bool
    version: int | None = None
    name: str | None = None
    email: str | None = None
    mfa_reset: bool | None = None


class ConfirmLinkSentOut(_Out):
    institution_id: str
    sent: bool
    expires_on: str
    confirmed: bool


class LiaisonOut(_Out):
    institution: str
    liaison_email: str | None = None
    office_name: str
    district_name: str
    confirmed: bool


class InboxLinkOut(_Out):
    institution_id: str
    action: str
    generation: int
    expires_on: str | None = None


class InboxItemOut(_Out):
    application_no: str
    subject: str
    status: str
    sla_due_date: str
    overdue: bool
    dispatched_at: str
    token: str


class InboxOut(_Out):
    institution: str
    office_name: str
    district_name: str
    today: str
    more: bool
    items: list[InboxItemOut]


class StaffListOut(_Out):
    scope: str
    items: list[StaffUserOut]


class AdminAuditOut(_Out):
    subject: str
    entries: list[AuditEntryOut]


# --- Open311 partners (admin) ---------------------------------------------------------

class PartnerOut(_Out):
    id: str
    name: str
    contact: str
    districts: list[str]
    rate_limit: int = Field(description="Calls per minute")
    created_at: str | None
    created_by: str
    revoked_at: str | None
    active: bool
    uses: int = Field(description="Every call made with the key")
    last_used_at: str | None


class PartnerListOut(_Out):
    partners: list[PartnerOut]


class PartnerIssuedOut(_Out):
    partner: PartnerOut
    api_key: str = Field(description="Shown once: only its HMAC is stored")


class PartnerRevokedOut(_Out):
    partner: PartnerOut


# --- KVKK ----------------------------------------------------------------------------

class SubjectRequestOut(_Out):
    id: str
    district: str
    national_id_masked: str
    kind: str
    kind_name: str
    channel: str
    channel_name: str
    received_on: str
    due_on: str = Field(description="30 days after receipt (KVKK art. 13)")
    status: str
    answer: str | None
    closed_at: str | None
    closed_by: str | None
    registered_by: str
    log: list[dict[str, Any]]
    version: int | None


class SubjectRequestListOut(_Out):
    requests: list[SubjectRequestOut]


class SubjectRequestDetailOut(_Out):
    request: SubjectRequestOut
    applications: list[dict[str, Any]]


class PersonalDataCopyOut(_Out):
    generated_at: str
    controller: str
    request: SubjectRequestOut | None = None
    applications: list[dict[str, Any]] = Field(description="Every field held about the person in each application, "
                                                           "the recipients and the retention end")


class DestructionEntryOut(_Out):
    at: str
    application_no: str
    record: str = Field(description="case | attachment | survey")
    ref: str
    rule: str = Field(description="The retention rule (data/retention.json)")
    run_id: str


class DestructionLogOut(_Out):
    district: str
    entries: list[DestructionEntryOut]
    next_cursor: str | None


# --- the citizen's session ---------------------------------------------------------

class OtpSentOut(_Out):
    sent: bool
    expires_in: int
    message: str


class CitizenSessionOut(_Out):
    token: str = Field(description="Signed, 30 minutes; send as `Authorization: Bearer …`")
    expires_in: int


class MyApplicationOut(_Out):
    application_no: str
    subject: str
    type: str
    category: str
    status: str
    received_at: str
    updated_at: str
    legal_due_date: str | None


class MyApplicationsOut(_Out):
    applications: list[MyApplicationOut]
    next_cursor: str | None


class SameApplicantOut(_Out):
    applications: list[dict[str, Any]] = Field(description="The applicant's other applications the clerk may read")


class RelatedCaseOut(_Out):
    application_no: str
    subject: str
    status: str
    received_at: str
    distance_m: int
    version: int | None
    institutions: list[str] = Field(description="Institution ids the case was forwarded to")


class RelatedOut(_Out):
    applications: list[RelatedCaseOut]
    radius_m: int
    days: int


class ExportLinkOut(_Out):
    download_url: str = Field(description="Short-lived link to the CSV in S3 (past the API's response limit)")
    rows: int
    filename: str
