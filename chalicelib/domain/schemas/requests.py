"""Every request model other than a filing's (see __init__): the institution's answers,
the office's actions, sessions, KVKK requests, settings, surveys."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, StrictBool, StringConstraints, field_validator, model_validator
from pydantic_core import PydanticCustomError

from ..identity import normalise_mobile
from ..office import NOT_PROCESSED_REASONS
from . import _EMAIL as _EMAIL_SHAPE
from . import (
    _LINE_BREAKS,
    DistrictCode,
    Email,
    KindCode,
    Line,
    SubjectCode,
    Text,
    TypeCode,
    _Model,
    check_mobile,
    check_national_id,
)


class PartnerIn(_Model):
    """An admin issues an Open311 partner key."""
    name: Line = Field(min_length=2, max_length=100)
    contact: Line = Field(min_length=3, max_length=200)
    districts: list[DistrictCode] = Field(min_length=1, max_length=100)
    rate_limit: int = Field(default=120, ge=1, le=6000)


class AttachmentRef(_Model):
    id: Text = Field(pattern=r"^[a-f0-9]{32}$")
    filename: Line = Field(min_length=1, max_length=200)


class AnswerIn(_Model):
    text: Text = Field(min_length=1, max_length=10000)
    outcome: Literal["positive", "negative", "informed", "not_competent"]
    responder_name: Line = Field(min_length=2, max_length=100)
    responder_title: Line = Field(min_length=2, max_length=100)
    attachments: list[AttachmentRef] = Field(default_factory=list, max_length=5)


class RedirectIn(_Model):
    reason: Text = Field(min_length=10, max_length=2000)
    suggested_institution: Line | None = Field(default=None, max_length=200)


class ExtensionIn(_Model):
    """An institution asks for the 4982 extension, on one of the law's two grounds."""
    ground: Literal["other_unit", "other_institution"]
    reason: Text = Field(min_length=10, max_length=2000)


class AttachmentUploadIn(_Model):
    filename: Line = Field(min_length=1, max_length=200)
    content_type: Literal["application/pdf", "image/jpeg", "image/png"]
    size: int = Field(ge=1, le=10 * 1024 * 1024)


class CitizenUploadIn(_Model):
    filename: Line = Field(min_length=1, max_length=200)
    content_type: Literal["application/pdf", "image/jpeg", "image/png", "image/heic"]
    size: int = Field(ge=1, le=10 * 1024 * 1024)


class CitizenFileIn(_Model):
    share_location: StrictBool = False


class SessionIn(_Model):
    username: Line = Field(min_length=1, max_length=128)
    password: str = Field(min_length=1, max_length=256)


class SignInChallengeIn(_Model):
    """The answer to a step of a staff sign-in: a new password, or a code from the
    authenticator app (at set-up, or at every sign-in)."""
    username: Line = Field(min_length=1, max_length=128)
    session: str = Field(min_length=8, max_length=4096)
    challenge: Literal["new_password", "mfa_setup", "mfa_code"]
    new_password: str | None = Field(default=None, min_length=12, max_length=256)
    code: Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")] | None = None


class _Versioned(_Model):
    version: int | None = Field(default=None, ge=1, description="The version the clerk saw (or If-Match)")


class TriageIn(_Versioned):
    type: TypeCode | None = None
    category: SubjectCode | None = None
    confidential_identity: StrictBool | None = Field(
        default=None, description="true hides the applicant from institutions; once set it stays")
    reason: Text = Field(min_length=5, max_length=1000)


class ForwardIn(_Versioned):
    institution_ids: list[Text] = Field(min_length=1, max_length=20)
    note: Text | None = Field(default=None, max_length=1000)


class NotProcessedIn(_Versioned):
    reason_code: Text
    explanation: Text = Field(min_length=10, max_length=2000)

    @field_validator("reason_code")
    @classmethod
    def _reason(cls, v):
        if v not in NOT_PROCESSED_REASONS or v == "merged_duplicate":
            raise PydanticCustomError("unknown_reason_code", "İşleme almama gerekçesi tanınmıyor.")
        return v


class MergeIn(_Versioned):
    into: Text = Field(min_length=10, max_length=14)
    explanation: Text = Field(min_length=10, max_length=1000)


class RequestInfoIn(_Versioned):
    message: Text = Field(min_length=10, max_length=1000)


class InformationReceivedIn(_Versioned):
    """The applicant gave the requested information at the desk or by phone."""
    channel: Literal["desk", "phone"]
    text: Text = Field(min_length=3, max_length=4000)


class ReferIn(_Versioned):
    """Send the case to the authority that decides it (domain/office.REFERRAL_GROUNDS)."""
    ground: Literal["crime_report", "competent_authority"]
    institution_id: Text = Field(min_length=3, max_length=80)
    explanation: Text = Field(min_length=10, max_length=2000)


class ExtendIn(_Versioned):
    ground: Literal["other_unit", "other_institution"]
    explanation: Text = Field(min_length=10, max_length=1000)


class ShareContactIn(_Versioned):
    institution_id: Text
    reason: Text = Field(min_length=10, max_length=1000)


class AcknowledgeIn(_Versioned):
    """A thanks: the office's acknowledgement to the applicant, and the institutions it
    is passed on to (none, if it concerns no one in particular)."""
    message: Text = Field(min_length=10, max_length=2000)
    institution_ids: list[Text] = Field(default_factory=list, max_length=20)


class CitizenReplyIn(_Model):
    text: Text = Field(min_length=3, max_length=4000)


class EvaluateIn(_Versioned):
    institution_id: Text
    decision: Literal["accept", "return"]
    note: Text | None = Field(default=None, max_length=2000)


class InterimIn(_Versioned):
    text: Text = Field(min_length=10, max_length=500)


class ConcludeIn(_Versioned):
    outcome: Literal["positive", "negative", "informed", "not_competent"]
    answer: Text = Field(min_length=20, max_length=10000)
    partly_refused: StrictBool = False      # an information request granted only in part (4982 art. 12)
    # what the office adds to the remedies a refusal always states (domain/office.remedies_for)
    remedies_note: Text | None = Field(default=None, max_length=2000)
    # institution attachments that go out with the final answer (ids from the answers)
    release_attachments: list[Line] = Field(default_factory=list, max_length=10)


class ReopenIn(_Versioned):
    reason: Text = Field(min_length=10, max_length=1000)


class DismissRepeatIn(_Versioned):
    reason: Text = Field(min_length=10, max_length=1000)


class LegalHoldIn(_Versioned):
    """KVKK: put on or lift a legal hold (an objection, a lawsuit, an inquiry)."""
    reason: Text = Field(min_length=10, max_length=1000)


class OtpRequestIn(_Model):
    national_id: Text
    phone: Text

    _national_id = field_validator("national_id")(check_national_id)
    _phone = field_validator("phone")(check_mobile)


class OtpVerifyIn(OtpRequestIn):
    code: Text = Field(pattern=r"^[0-9]{6}$")


class ReceiptVerifyIn(_Model):
    """A receipt to verify (dogrula.html): the token of its QR code, or its number with
    the short code printed beside it."""
    token: str | None = Field(default=None, max_length=400)
    application_no: Text | None = Field(default=None, max_length=20)
    short_code: Text | None = Field(default=None, max_length=20)


class SubjectRequestIn(_Model):
    """KVKK art. 11: a person's request, registered by the office."""
    national_id: Text
    kind: Literal["info", "copy", "correction", "erasure"]
    channel: Literal["in_person", "letter", "kep", "email"]
    received_on: date

    _national_id = field_validator("national_id")(check_national_id)


class CorrectionIn(_Versioned):
    application_no: Text = Field(min_length=10, max_length=14)
    field: Literal["first_name", "last_name", "address", "phone", "email"]
    value: Text = Field(min_length=2, max_length=300)
    reason: Text = Field(min_length=10, max_length=1000)

    @model_validator(mode="after")
    def _value_fits_the_field(self):
        if self.field == "phone":
            normalised = normalise_mobile(self.value)
            if normalised is None:
                raise PydanticCustomError("invalid_phone", "Cep telefonu geçersiz: 05XX XXX XX XX biçiminde giriniz.")
            self.value = normalised
        elif self.field == "email" and not _EMAIL_SHAPE.match(self.value):
            raise PydanticCustomError("invalid_email", "E-posta adresi geçersiz.")
        elif self.field == "address" and len(self.value) < 10:
            raise PydanticCustomError("too_short", "Adres en az 10 karakter olmalıdır.")
        elif self.field in ("first_name", "last_name") and (len(self.value) > 50 or _LINE_BREAKS.search(self.value)):
            raise PydanticCustomError("invalid_value", "Ad ve soyad tek satır, en fazla 50 karakter olmalıdır.")
        return self


class ErasureIn(_Model):
    application_no: Text = Field(min_length=10, max_length=14)
    reason: Text = Field(min_length=10, max_length=1000)


class CloseRequestIn(_Versioned):
    answer: Text = Field(min_length=20, max_length=4000)


class RevokeLinkIn(_Versioned):
    institution_id: Text


class InstitutionIn(_Model):
    id: Text = Field(min_length=3, max_length=80)
    kind: KindCode
    name: Line = Field(min_length=3, max_length=200)
    liaison_email: Email | None = None
    sla_days: int | None = Field(default=None, ge=1, le=30)
    # how assignments reach it: a method of services/delivery_methods, checked there with
    # the address it needs (an e-mail link needs the liaison's e-mail, a webhook its URL)
    send_method: Line = Field(default="email_link", max_length=40)
    endpoint: Line | None = Field(default=None, max_length=500)
    # a liaison address is confirmed by its reader through a test link (services/liaison.py):
    # for an e-mailed link this is ignored and the stored confirmation kept while the address
    # stays the same; an office vouches for a webhook by setting it
    confirmed: StrictBool = False
    detsis: Annotated[str, StringConstraints(pattern=r"^[0-9]{1,12}$")] | None = None
    active: StrictBool = True
    # one daily e-mail with the inbox link instead of a reminder per case
    inbox_digest: StrictBool = False


class DistrictIn(_Versioned):
    """A place's institutions (the registry's rows for it)."""
    institutions: list[InstitutionIn] = Field(max_length=200)


class OfficeIn(_Versioned):
    """An office's own settings."""
    email: Email | None = None
    supervisor_email: Email | None = None
    address: Line | None = Field(default=None, max_length=300)
    phone: Line | None = Field(default=None, max_length=40)
    kep: Email | None = None
    detsis: Annotated[str, StringConstraints(pattern=r"^[0-9]{1,12}$")] | None = None
    onboarded: StrictBool = False
    auto_forward: StrictBool = False
    # subject code -> institution kinds: where this office's rule differs from the national one
    routing: dict[Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{2,40}$")], list[KindCode]] = Field(
        default_factory=dict, max_length=200)


class StaffUserIn(_Versioned):
    """An admin sets a staff member's role, scope and whether they may sign in."""
    role: Literal["desk", "supervisor", "province", "admin"]
    district: Text | None = None
    province: Text | None = None
    enabled: StrictBool


class StaffInviteIn(_Model):
    """A new staff member, invited by e-mail: the user name they will sign in with, their
    name, role and scope (an office for desk and supervisor, a province for a province
    officer)."""
    username: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]{2,63}$")] = Field(
        description="Small letters, digits, dot, dash or underscore; 3 to 64 characters")
    name: Line = Field(min_length=2, max_length=120)
    email: Email
    role: Literal["desk", "supervisor", "province", "admin"]
    district: Text | None = None
    province: Text | None = None


class InboxLinkIn(_Model):
    """What to do with an institution's inbox link: e-mail the current one, make a new one
    and e-mail it (every older one stops), or stop every one."""
    action: Literal["send", "rotate", "revoke"]


class SurveyIn(_Model):
    rating: int = Field(ge=1, le=5)
    comment: Text | None = Field(default=None, max_length=1000)


class ObjectionIn(_Model):
    reason: Text = Field(min_length=10, max_length=2000)
