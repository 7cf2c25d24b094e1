"""Request models (pydantic v2) and the translation of their errors into the API's
Turkish field errors. Pure: no AWS."""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool,
                      ValidationError, ValidationInfo, field_validator, model_validator)
from pydantic_core import PydanticCustomError

from .catalog import catalog
from .errors import ValidationFailed
from .identity import is_valid_national_id, normalise_mobile

# Turkey's bounding box, with a little margin for the coast and islands.
LAT_MIN, LAT_MAX = 35.80, 42.15
LON_MIN, LON_MAX = 25.60, 44.85

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


# Bidirectional embeddings, overrides and isolates: they can make text read differently
# from what it is (a reversed URL, a disguised number). Removed, never stored.
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile(r"[\r\n\t\u2028\u2029\x85]")
_INVISIBLE = {"Cc", "Cf", "Zs", "Zl", "Zp"}


def _clean_text(value: Any) -> Any:
    """NFC, bidi controls removed, trimmed; control characters refused, and so is text
    with nothing visible in it (only spaces or zero-width characters)."""
    if isinstance(value, str):
        value = _BIDI.sub("", unicodedata.normalize("NFC", value)).strip()
        if _CONTROL.search(value):
            raise PydanticCustomError("invalid_characters", "{label} geçersiz karakterler içeriyor.")
        if value and all(unicodedata.category(ch) in _INVISIBLE for ch in value):
            raise PydanticCustomError("no_visible_text", "{label} görünür bir karakter içermiyor.")
    return value


def _clean_line(value: Any) -> Any:
    value = _clean_text(value)
    if isinstance(value, str) and _LINE_BREAKS.search(value):
        raise PydanticCustomError("line_break", "{label} tek satır olmalıdır.")
    return value


Text = Annotated[str, BeforeValidator(_clean_text)]
Line = Annotated[str, BeforeValidator(_clean_line)]   # one line: names, subjects, titles, file names


def _check_email(value: str) -> str:
    if not _EMAIL.match(value):
        raise PydanticCustomError("invalid_email", "E-posta adresi geçersiz.")
    return value


def _in_catalog(table: str, code: str, message: str) -> AfterValidator:
    """A code that must exist in one of the catalogue's tables (looked up when validating)."""
    def check(value: str) -> str:
        if value not in getattr(catalog(), table):
            raise PydanticCustomError(code, message)
        return value
    return AfterValidator(check)


Email = Annotated[Text, Field(max_length=254), AfterValidator(_check_email)]
TypeCode = Annotated[Text, _in_catalog("types", "unknown_type", "Başvuru türü tanınmıyor.")]
SubjectCode = Annotated[Text, _in_catalog("subjects", "unknown_category", "Konu başlığı tanınmıyor.")]
DistrictCode = Annotated[Text, _in_catalog("districts", "unknown_district", "İlçe tanınmıyor.")]
KindCode = Annotated[Text, _in_catalog("institution_kinds", "unknown_kind", "Kurum türü tanınmıyor.")]

FIELD_LABELS = {
    "type": "Başvuru türü",
    "category": "Konu başlığı",
    "district": "İlçe",
    "subject": "Konu",
    "description": "Açıklama",
    "applicant": "Başvuru sahibi bilgileri",
    "applicant.national_id": "T.C. Kimlik No / YKN",
    "applicant.first_name": "Ad",
    "applicant.last_name": "Soyad",
    "applicant.phone": "Cep telefonu",
    "applicant.email": "E-posta",
    "applicant.address": "Adres",
    "location": "Konum",
    "location.lat": "Enlem",
    "location.lon": "Boylam",
    "confidential_identity": "Kimlik gizliliği",
    "kvkk_acknowledged": "Aydınlatma metni onayı",
    "channel": "Başvuru kanalı",
    "received_at": "Teslim alınma zamanı",
    "text": "Cevap metni",
    "outcome": "Önerilen sonuç",
    "responder_name": "Cevaplayanın adı soyadı",
    "responder_title": "Cevaplayanın unvanı",
    "attachments": "Ekler",
    "reason": "Gerekçe",
    "suggested_institution": "Önerilen kurum",
    "release_attachments": "Cevapla gönderilecek ekler",
    "filename": "Dosya adı",
    "content_type": "Dosya türü",
    "size": "Dosya boyutu",
    "username": "Kullanıcı adı",
    "password": "Parola",
    "version": "Sürüm",
    "institution_ids": "Kurumlar",
    "note": "Not",
    "reason_code": "Gerekçe kodu",
    "explanation": "Açıklama",
    "into": "Birleştirilecek başvuru",
    "message": "İleti",
    "institution_id": "Kurum",
    "decision": "Karar",
    "answer": "Gerekçeli cevap",
    "auto_forward": "Otomatik yönlendirme",
    "office_email": "Büro e-postası",
    "supervisor_email": "Sorumlu e-postası",
    "rating": "Puan",
    "comment": "Yorum",
    "institutions": "Kurumlar",
    "role": "Rol",
    "province": "İl",
    "enabled": "Giriş izni",
    "ground": "Uzatma gerekçesi",
    "attachments.*.id": "Ek",
    "attachments.*.filename": "Ekin dosya adı",
    "institution_ids.*": "Kurum",
    "institutions.*.id": "Kurum kodu",
    "institutions.*.kind": "Kurum türü",
    "institutions.*.name": "Kurum adı",
    "institutions.*.liaison_email": "Kurum irtibat e-postası",
    "institutions.*.sla_days": "Kurum cevap süresi",
    "institutions.*.send_method": "Kuruma ulaşma yolu",
    "partly_refused": "Kısmen ret",
    "legal_remedies": "Başvuru yolları",
    "contact": "İrtibat",
    "districts": "İlçeler",
    "districts.*": "İlçe",
    "rate_limit": "Dakikalık çağrı sınırı",
    "name": "Ad",
    "kind": "İstek türü",
    "received_on": "Alındığı gün",
    "field": "Düzeltilecek alan",
    "value": "Doğru değer",
    "application_no": "Başvuru numarası",
    "national_id": "T.C. Kimlik No / YKN",
    "phone": "Cep telefonu",
    "code": "Doğrulama kodu",
    "share_location": "Fotoğrafın konumunu paylaş",
}

# pydantic's built-in error types -> (code, Turkish message template)
_BUILTIN = {
    "missing": ("required", "{label} zorunludur."),
    "string_type": ("invalid_type", "{label} metin olmalıdır."),
    "bool_type": ("invalid_type", "{label} true ya da false olmalıdır."),
    "float_type": ("invalid_type", "{label} sayı olmalıdır."),
    "float_parsing": ("invalid_type", "{label} sayı olmalıdır."),
    "finite_number": ("invalid_type", "{label} sonlu bir sayı olmalıdır."),
    "model_type": ("invalid_type", "{label} bir nesne olmalıdır."),
    "model_attributes_type": ("invalid_type", "{label} bir nesne olmalıdır."),
    "dict_type": ("invalid_type", "{label} bir nesne olmalıdır."),
    "string_too_short": ("too_short", "{label} en az {min_length} karakter olmalıdır."),
    "string_too_long": ("too_long", "{label} en fazla {max_length} karakter olabilir."),
    "int_type": ("invalid_type", "{label} tam sayı olmalıdır."),
    "int_parsing": ("invalid_type", "{label} tam sayı olmalıdır."),
    "int_from_float": ("invalid_type", "{label} tam sayı olmalıdır."),
    "greater_than_equal": ("too_small", "{label} en az {ge} olmalıdır."),
    "less_than_equal": ("too_large", "{label} en fazla {le} olabilir."),
    "list_type": ("invalid_type", "{label} bir liste olmalıdır."),
    "too_long": ("too_many", "{label} en fazla {max_length} öğe içerebilir."),
    "literal_error": ("invalid_choice", "{label} için geçerli değerler: {expected}."),
    "extra_forbidden": ("unknown_field", "Bilinmeyen alan: {field}."),
    "datetime_type": ("invalid_datetime", "{label} saat dilimli ISO 8601 biçiminde olmalıdır."),
    "datetime_parsing": ("invalid_datetime", "{label} saat dilimli ISO 8601 biçiminde olmalıdır."),
    "datetime_from_date_parsing": ("invalid_datetime", "{label} saat dilimli ISO 8601 biçiminde olmalıdır."),
    "timezone_aware": ("invalid_datetime", "{label} saat dilimi içermelidir."),
    "timezone_naive": ("invalid_datetime", "{label} saat dilimi içermelidir."),
    "too_short": ("too_few", "{label} için en az {min_length} seçim yapınız."),
    "string_pattern_mismatch": ("invalid_format", "{label} beklenen biçimde değil."),
    "string_unicode": ("invalid_characters", "{label} geçersiz karakterler içeriyor."),
    "bool_parsing": ("invalid_type", "{label} true ya da false olmalıdır."),
    "int_parsing_size": ("too_large", "{label} çok büyük bir sayı."),
    "greater_than": ("too_small", "{label} {gt} değerinden büyük olmalıdır."),
    "less_than": ("too_large", "{label} {lt} değerinden küçük olmalıdır."),
    "none_required": ("invalid_value", "{label} boş bırakılmalıdır."),
    "enum": ("invalid_choice", "{label} için geçerli değerler: {expected}."),
    "date_type": ("invalid_date", "{label} YYYY-AA-GG biçiminde bir tarih olmalıdır."),
    "date_parsing": ("invalid_date", "{label} YYYY-AA-GG biçiminde bir tarih olmalıdır."),
    "date_from_datetime_parsing": ("invalid_date", "{label} YYYY-AA-GG biçiminde bir tarih olmalıdır."),
    "date_from_datetime_inexact": ("invalid_date", "{label} YYYY-AA-GG biçiminde bir tarih olmalıdır."),
    "json_invalid": ("invalid_body", "İstek gövdesi geçerli bir JSON değil."),
}

# What a person reads for a choice code in a "valid values" message: never the code itself.
CHOICE_NAMES = {
    "positive": "olumlu", "negative": "olumsuz", "informed": "bilgi verildi / başka yola yönlendirildi",
    "not_competent": "görev alanı dışında", "accept": "kabul", "return": "iade",
    "web": "internet", "mobile": "mobil uygulama", "face_to_face": "yüz yüze", "phone": "telefon",
    "other_unit": "bilginin başka bir birimden sağlanması", "several_institutions": "birden fazla kurumun görüşü",
    "application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG", "image/heic": "HEIC", "email_link": "e-postayla bağlantı",
}
# where the same code means different things in different fields
FIELD_CHOICE_NAMES = {
    "role": {"desk": "masa", "supervisor": "sorumlu", "province": "il", "admin": "yönetici"},
    "kind": {"info": "bilgi", "copy": "örnek", "correction": "düzeltme", "erasure": "silme"},
    "field": {"first_name": "ad", "last_name": "soyad", "address": "adres", "phone": "cep telefonu"},
    "channel": {"desk": "masada", "phone": "telefonla", "face_to_face": "yüz yüze", "web": "internet",
                "in_person": "şahsen", "letter": "yazılı dilekçe", "kep": "KEP", "email": "e-posta",
                "mobile": "mobil uygulama", "open311": "Open311 ortak uygulaması"},
}


def _choices(expected: str, field: str) -> str:
    """pydantic's "'a', 'b' or 'c'" as the Turkish names, "a, b ya da c"."""
    import re
    values = re.findall(r"'([^']*)'", expected) or [expected]
    names_of = {**CHOICE_NAMES, **FIELD_CHOICE_NAMES.get(field.rsplit(".", 1)[-1], {})}
    names = [names_of.get(v, v) for v in values]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} ya da {names[-1]}"


def _label(field: str) -> str:
    """The Turkish name of a field path; list positions ("attachments.0.id") are named
    by their list ("attachments.*.id"), then by the field that holds them."""
    import re
    if field in FIELD_LABELS:
        return FIELD_LABELS[field]
    generic = re.sub(r"\.\d+", ".*", field)
    if generic in FIELD_LABELS:
        return FIELD_LABELS[generic]
    head = field.split(".", 1)[0]
    return FIELD_LABELS.get(head, "İstek gövdesi" if not field else field)


_PYDANTIC_TYPES: frozenset | None = None


def _builtin(error_type: str) -> bool:
    """A pydantic error type (its message is English), as opposed to one of ours."""
    global _PYDANTIC_TYPES
    if _PYDANTIC_TYPES is None:
        from pydantic_core._pydantic_core import list_all_errors
        _PYDANTIC_TYPES = frozenset(e["type"] for e in list_all_errors())
    return error_type in _PYDANTIC_TYPES


def translate(exc: ValidationError) -> ValidationFailed:
    errors = []
    for err in exc.errors(include_url=False):
        field = ".".join(str(p) for p in err["loc"])
        label = _label(field)
        ctx = dict(err.get("ctx") or {})
        ctx.update(label=label, field=field)
        if err["type"] in _BUILTIN:
            code, template = _BUILTIN[err["type"]]
        elif _builtin(err["type"]):   # any other pydantic type: never its English message
            code, template = "invalid_value", "{label} geçersiz."
        else:  # our own PydanticCustomError: type is the code, message the template
            code, template = err["type"], err["msg"]
            if not err["msg"]:
                code, template = "invalid_value", "{label} geçersiz."
        if "expected" in ctx:
            ctx["expected"] = _choices(str(ctx["expected"]), field)
        try:
            message = template.format(**ctx)
        except (KeyError, IndexError):
            message = template
        errors.append({"code": code, "message": message, "field": field or None})
    return ValidationFailed(errors)


class _Model(BaseModel):
    # built on first use, not at import: a cold start validates one or two of these models
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)


class ApplicantIn(_Model):
    national_id: Text
    first_name: Line = Field(min_length=2, max_length=50)
    last_name: Line = Field(min_length=2, max_length=50)
    phone: Text
    email: Email | None = None
    address: Text = Field(min_length=10, max_length=300)

    @field_validator("national_id")
    @classmethod
    def _national_id(cls, v: str) -> str:
        if not is_valid_national_id(v):
            raise PydanticCustomError(
                "invalid_national_id",
                "T.C. Kimlik No / YKN geçersiz: 11 haneli, doğrulama basamakları tutan bir numara giriniz.")
        return v

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str) -> str:
        normalised = normalise_mobile(v)
        if normalised is None:
            raise PydanticCustomError(
                "invalid_phone", "Cep telefonu geçersiz: 05XX XXX XX XX biçiminde bir Türkiye cep numarası giriniz.")
        return normalised

    @field_validator("email", mode="before")
    @classmethod
    def _no_email(cls, v):
        return None if isinstance(v, str) and not v.strip() else v


class LocationIn(_Model):
    lat: float
    lon: float

    @model_validator(mode="after")
    def _inside_turkey(self):
        if not (LAT_MIN <= self.lat <= LAT_MAX and LON_MIN <= self.lon <= LON_MAX):
            raise PydanticCustomError("outside_turkey", "Konum Türkiye sınırları içinde olmalıdır.")
        return self


class ApplicationIn(_Model):
    type: TypeCode
    category: SubjectCode
    district: DistrictCode
    subject: Line = Field(min_length=3, max_length=150)
    description: Text = Field(min_length=10, max_length=4000)
    applicant: ApplicantIn
    location: LocationIn | None = None
    confidential_identity: StrictBool = False
    kvkk_acknowledged: StrictBool
    channel: Literal["web", "mobile"]

    @field_validator("kvkk_acknowledged")
    @classmethod
    def _kvkk(cls, v: bool) -> bool:
        if v is not True:
            raise PydanticCustomError(
                "kvkk_not_acknowledged", "Başvuru için kişisel verilerin işlenmesine ilişkin aydınlatma metni onaylanmalıdır.")
        return v

    @field_validator("confidential_identity")
    @classmethod
    def _confidential_only_for_ihbar(cls, v: bool, info: ValidationInfo) -> bool:
        kind = catalog().types.get(info.data.get("type") or "")
        if v and kind is not None and not kind.get("confidential_identity_allowed"):
            raise PydanticCustomError(
                "confidential_not_allowed", "Kimlik gizliliği yalnızca ihbar başvurularında istenebilir.")
        return v


class DeskApplicationIn(ApplicationIn):
    """Staff intake at the desk: the same rules, another channel, and the receipt time."""
    channel: Literal["face_to_face", "phone"]
    received_at: datetime | None = None


class PartnerApplicationIn(ApplicationIn):
    """An application an Open311 partner files (domain/open311.py builds the body)."""
    channel: Literal["open311"]


class PartnerIn(_Model):
    """An admin issues an Open311 partner key."""
    name: Line = Field(min_length=2, max_length=100)
    contact: Line = Field(min_length=3, max_length=200)
    districts: list[DistrictCode] = Field(min_length=1, max_length=100)
    rate_limit: int = Field(default=120, ge=1, le=6000)


OUTCOMES = ("positive", "negative", "informed", "not_competent")


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
        from .office import NOT_PROCESSED_REASONS
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


class ExtendIn(_Versioned):
    ground: Literal["other_unit", "several_institutions"]
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
    legal_remedies: Text | None = Field(default=None, min_length=20, max_length=3000)
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

    _national_id = field_validator("national_id")(ApplicantIn._national_id.__func__)
    _phone = field_validator("phone")(ApplicantIn._phone.__func__)


class OtpVerifyIn(OtpRequestIn):
    code: Text = Field(pattern=r"^[0-9]{6}$")


class SubjectRequestIn(_Model):
    """KVKK art. 11: a person's request, registered by the office."""
    national_id: Text
    kind: Literal["info", "copy", "correction", "erasure"]
    channel: Literal["in_person", "letter", "kep", "email"]
    received_on: date

    _national_id = field_validator("national_id")(ApplicantIn._national_id.__func__)


class CorrectionIn(_Versioned):
    application_no: Text = Field(min_length=10, max_length=14)
    field: Literal["first_name", "last_name", "address", "phone"]
    value: Text = Field(min_length=2, max_length=300)
    reason: Text = Field(min_length=10, max_length=1000)

    @model_validator(mode="after")
    def _value_fits_the_field(self):
        if self.field == "phone":
            normalised = normalise_mobile(self.value)
            if normalised is None:
                raise PydanticCustomError("invalid_phone", "Cep telefonu geçersiz: 05XX XXX XX XX biçiminde giriniz.")
            self.value = normalised
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
    liaison_email: Email
    sla_days: int | None = Field(default=None, ge=1, le=30)
    send_method: Literal["email_link"] = "email_link"  # the only delivery method so far


class DistrictIn(_Versioned):
    auto_forward: StrictBool
    office_email: Email
    supervisor_email: Email | None = None
    institutions: list[InstitutionIn] = Field(max_length=200)


class StaffUserIn(_Versioned):
    """An admin sets a staff member's role, scope and whether they may sign in."""
    role: Literal["desk", "supervisor", "province", "admin"]
    district: Text | None = None
    province: Text | None = None
    enabled: StrictBool


class SurveyIn(_Model):
    rating: int = Field(ge=1, le=5)
    comment: Text | None = Field(default=None, max_length=1000)


class ObjectionIn(_Model):
    reason: Text = Field(min_length=10, max_length=2000)


def parse(model: type[BaseModel], data: Any):
    if not isinstance(data, dict):
        raise ValidationFailed([{"code": "invalid_body", "message": "İstek gövdesi bir JSON nesnesi olmalıdır.",
                                 "field": None}])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise translate(exc) from None
