"""Request models (pydantic v2) and the translation of their errors into the API's
Turkish field errors. Pure: no AWS.

The models live in two modules, imported when a model is first asked for (`from
chalicelib.domain.schemas import ApplicationIn` works as for any module): `submission`
holds what a filing validates (the citizen's, the desk's and a partner's), `requests`
every other request. A pydantic model costs about 0.3 ms to define even with
`defer_build`, so a container whose first request is a submission no longer defines
the forty others (docs/performance.md, cold start). This module holds the field types,
the cleaners and the translation of errors that both use."""
from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

from ...lazymodules import lazy_names
from ..catalog import catalog
from ..errors import ValidationFailed
from ..identity import is_valid_national_id, normalise_mobile

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


def check_national_id(v: str) -> str:
    """A T.C. Kimlik No or a foreigner's id with a valid checksum (every model that takes one)."""
    if not is_valid_national_id(v):
        raise PydanticCustomError(
            "invalid_national_id",
            "T.C. Kimlik No / YKN geçersiz: 11 haneli, doğrulama basamakları tutan bir numara giriniz.")
    return v


def check_mobile(v: str) -> str:
    """A Turkish mobile number, normalised to +90 5XX XXX XX XX."""
    normalised = normalise_mobile(v)
    if normalised is None:
        raise PydanticCustomError(
            "invalid_phone", "Cep telefonu geçersiz: 05XX XXX XX XX biçiminde bir Türkiye cep numarası giriniz.")
    return normalised


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
    "place": "Yer",
    "place.neighbourhood": "Mahalle ya da köy",
    "place.street": "Cadde, sokak ve numara",
    "confidential_identity": "Kimlik gizliliği",
    "kvkk_acknowledged": "Aydınlatma metni onayı",
    "channel": "Başvuru kanalı",
    "received_at": "Teslim alınma zamanı",
    "identity_seen": "Kimlik kartı görüldü",
    "remedies_note": "Başvuru yollarına ek açıklama",
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
    "email": "E-posta",
    "kep": "KEP adresi",
    "detsis": "DETSİS numarası",
    "onboarded": "Açık Kapı'ya katıldı",
    "routing": "Yönlendirme kuralları",
    "confirmed": "İrtibat adresi onaylı",
    "active": "Etkin",
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
    "token": "Karekoddaki doğrulama bilgisi",
    "short_code": "Makbuzdaki doğrulama kodu",
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


def _choice_names(expected: str, field: str) -> list[str]:
    """pydantic's "'a', 'b' or 'c'" as the Turkish names."""
    values = re.findall(r"'([^']*)'", expected) or [expected]
    names_of = {**CHOICE_NAMES, **FIELD_CHOICE_NAMES.get(field.rsplit(".", 1)[-1], {})}
    return [names_of.get(v, v) for v in values]


def _choices(expected: str, field: str) -> str:
    """pydantic's "'a', 'b' or 'c'" as the Turkish names, "a, b ya da c"."""
    names = _choice_names(expected, field)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} ya da {names[-1]}"


def _label(field: str) -> str:
    """The Turkish name of a field path; list positions ("attachments.0.id") are named
    by their list ("attachments.*.id"), then by the field that holds them."""
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
    errors: list[dict] = []
    sources: list[tuple[str, dict]] = []
    for err in exc.errors(include_url=False):
        field = ".".join(str(p) for p in err["loc"])
        ctx = dict(err.get("ctx") or {})
        if ctx.get("at"):   # a validator of a whole block that names the field of it at fault
            field = f"{field}.{ctx.pop('at')}"
        label = _label(field)
        ctx.update(label=label, field=field)
        if err["type"] == "string_too_short" and ctx.get("min_length") == 1:
            # an empty required text: said as a person would, not "at least 1 character"
            code, template = "required", "{label} boş bırakılamaz."
        elif err["type"] in ("literal_error", "enum") and err.get("input") in ("", None):
            # nothing chosen: ask for a choice rather than list the codes
            code, template = "required", "{label} için bir seçim yapınız."
        elif err["type"] in ("too_long", "too_short") and isinstance(err.get("input"), str):
            # a length rule on an optional text (`Line | None`) is reported as a list's
            code, template = _BUILTIN[f"string_{err['type']}"]
        elif err["type"] in _BUILTIN:
            code, template = _BUILTIN[err["type"]]
        elif _builtin(err["type"]):   # any other pydantic type: never its English message
            code, template = "invalid_value", "{label} geçersiz."
        else:  # our own PydanticCustomError: type is the code, message the template
            code, template = err["type"], err["msg"]
            if not err["msg"]:
                code, template = "invalid_value", "{label} geçersiz."
        if "expected" in ctx:
            ctx["choices"] = _choice_names(str(ctx["expected"]), field)
            ctx["expected"] = _choices(str(ctx["expected"]), field)
        try:
            message = template.format(**ctx)
        except (KeyError, IndexError):
            message = template
        errors.append({"code": code, "message": message, "field": field or None})
        sources.append((template, ctx))
    failed = ValidationFailed(errors)
    failed.sources = sources     # for the message in another language (domain/i18n.localise)
    return failed

OUTCOMES = ("positive", "negative", "informed", "not_competent")


class _Model(BaseModel):
    # built on first use, not at import: a cold start validates one or two of these models
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)


def parse(model: type[BaseModel], data: Any):
    if not isinstance(data, dict):
        raise ValidationFailed([{"code": "invalid_body", "message": "İstek gövdesi bir JSON nesnesi olmalıdır.",
                                 "field": None}])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise translate(exc) from None


# Where each model is defined, for the lazy look-up below (tests check the list is complete).
MODELS = {
    **dict.fromkeys(("ApplicantIn", "LocationIn", "PlaceIn", "ApplicationIn", "DeskApplicationIn", "PartnerApplicationIn"),
                    "submission"),
    **dict.fromkeys((
        "PartnerIn", "AttachmentRef", "AnswerIn", "RedirectIn", "ExtensionIn", "AttachmentUploadIn", "CitizenUploadIn",
        "CitizenFileIn", "SessionIn", "SignInChallengeIn", "TriageIn", "ForwardIn", "NotProcessedIn", "MergeIn", "RequestInfoIn",
        "InformationReceivedIn", "ExtendIn", "ReferIn", "ShareContactIn", "AcknowledgeIn", "CitizenReplyIn", "EvaluateIn",
        "InterimIn", "ConcludeIn", "ReopenIn", "DismissRepeatIn", "LegalHoldIn", "OtpRequestIn", "OtpVerifyIn",
        "SubjectRequestIn", "CorrectionIn", "ErasureIn", "CloseRequestIn", "RevokeLinkIn", "InstitutionIn",
        "DistrictIn", "OfficeIn", "StaffUserIn", "StaffInviteIn", "InboxLinkIn", "SurveyIn", "ObjectionIn",
        "ReceiptVerifyIn"), "requests"),
}


__getattr__ = lazy_names(__name__, MODELS, globals())
