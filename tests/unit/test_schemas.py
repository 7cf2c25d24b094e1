"""Every validation rule of the submission, with its code, field and Turkish message."""
import copy

import pytest

from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.schemas import FIELD_LABELS, ApplicationIn, parse
from tests.conftest import VALID_APPLICATION


def errors_for(mutate):
    data = copy.deepcopy(VALID_APPLICATION)
    mutate(data)
    with pytest.raises(ValidationFailed) as exc:
        parse(ApplicationIn, data)
    return {(e["field"], e["code"]): e["message"] for e in exc.value.errors}


def test_a_valid_application_parses_and_normalises_the_phone():
    req = parse(ApplicationIn, copy.deepcopy(VALID_APPLICATION))
    assert req.applicant.phone == "+905321234567"
    assert req.confidential_identity is False


def _set(path, value):
    def mutate(data):
        *parents, last = path.split(".")
        target = data
        for p in parents:
            target = target[p]
        if value is KeyError:
            del target[last]
        else:
            target[last] = value
    return mutate


CASES = [
    ("type", "nope", "unknown_type", "Başvuru türü tanınmıyor."),
    ("category", "nope", "unknown_category", "Konu başlığı tanınmıyor."),
    ("district", "34-nowhere", "unknown_district", "İlçe tanınmıyor."),
    ("subject", "ab", "too_short", "Konu en az 3 karakter olmalıdır."),
    ("subject", "x" * 151, "too_long", "Konu en fazla 150 karakter olabilir."),
    ("description", "kısa", "too_short", "Açıklama en az 10 karakter olmalıdır."),
    ("description", "x" * 4001, "too_long", "Açıklama en fazla 4000 karakter olabilir."),
    ("description", KeyError, "required", "Açıklama zorunludur."),
    ("subject", 12, "invalid_type", "Konu metin olmalıdır."),
    ("subject", "Kaldırım\x00", "invalid_characters", "Konu geçersiz karakterler içeriyor."),
    ("applicant.national_id", "12345678901", "invalid_national_id",
     "T.C. Kimlik No / YKN geçersiz: 11 haneli, doğrulama basamakları tutan bir numara giriniz."),
    ("applicant.first_name", "A", "too_short", "Ad en az 2 karakter olmalıdır."),
    ("applicant.last_name", KeyError, "required", "Soyad zorunludur."),
    ("applicant.phone", "0216 123 45 67", "invalid_phone",
     "Cep telefonu geçersiz: 05XX XXX XX XX biçiminde bir Türkiye cep numarası giriniz."),
    ("applicant.email", "ayse@", "invalid_email", "E-posta adresi geçersiz."),
    ("applicant.address", KeyError, "required", "Adres zorunludur."),
    ("applicant.address", "kısa", "too_short", "Adres en az 10 karakter olmalıdır."),
    ("location", {"lat": 51.5, "lon": -0.12}, "outside_turkey", "Konum Türkiye sınırları içinde olmalıdır."),
    ("location", {"lat": "x", "lon": 29}, "invalid_type", "Enlem sayı olmalıdır."),
    ("kvkk_acknowledged", False, "kvkk_not_acknowledged",
     "Başvuru için kişisel verilerin işlenmesine ilişkin aydınlatma metni onaylanmalıdır."),
    ("kvkk_acknowledged", "true", "invalid_type", "Aydınlatma metni onayı true ya da false olmalıdır."),
    ("channel", "fax", "invalid_choice", "Başvuru kanalı için geçerli değerler: internet ya da mobil uygulama."),
    ("confidential_identity", True, "confidential_not_allowed",
     "Kimlik gizliliği yalnızca ihbar başvurularında istenebilir."),
    ("surprise", 1, "unknown_field", "Bilinmeyen alan: surprise."),
    ("subject", "\u200b\u200b\u200b\u200b", "no_visible_text", "Konu görünür bir karakter içermiyor."),
    ("description", "\u200b \ufeff\u2060 \u200d" * 5, "no_visible_text", "Açıklama görünür bir karakter içermiyor."),
    ("subject", "Kaldırım\r\nBcc: x@evil.example", "line_break", "Konu tek satır olmalıdır."),
    ("applicant.first_name", "Ayşe\u2028Fatma", "line_break", "Ad tek satır olmalıdır."),
]


@pytest.mark.parametrize("path, value, code, message", CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES])
def test_each_field_error_names_the_field_with_a_turkish_message(path, value, code, message):
    errors = errors_for(_set(path, value))
    field = "location.lat" if (code, path) == ("invalid_type", "location") else path
    assert errors.get((field, code)) == message, errors


def test_confidential_identity_is_accepted_for_ihbar():
    data = copy.deepcopy(VALID_APPLICATION)
    data.update(type="ihbar", category="uyusturucu_ihbar", confidential_identity=True)
    assert parse(ApplicationIn, data).confidential_identity is True


def test_a_body_that_is_not_an_object_is_refused():
    with pytest.raises(ValidationFailed) as exc:
        parse(ApplicationIn, ["not", "an", "object"])
    assert exc.value.code == "invalid_body"


def test_every_labelled_field_exists_in_a_model():
    from chalicelib.domain.schemas import DeskApplicationIn
    fields = set(DeskApplicationIn.model_fields) | {f"applicant.{f}" for f in
                                                     DeskApplicationIn.model_fields["applicant"].annotation.model_fields}
    fields |= {"location.lat", "location.lon"}
    from chalicelib.domain import schemas
    for model in (schemas.AnswerIn, schemas.AttachmentUploadIn, schemas.ExtensionIn, schemas.RedirectIn,
                  schemas.SessionIn, schemas.TriageIn, schemas.ForwardIn, schemas.NotProcessedIn, schemas.MergeIn,
                  schemas.RequestInfoIn, schemas.EvaluateIn, schemas.ConcludeIn, schemas.DistrictIn,
                  schemas.SurveyIn, schemas.ObjectionIn, schemas.StaffUserIn, schemas.ExtendIn,
                  schemas.InformationReceivedIn, schemas.ShareContactIn, schemas.AcknowledgeIn, schemas.PartnerIn,
                  schemas.LegalHoldIn, schemas.SubjectRequestIn, schemas.CorrectionIn, schemas.ErasureIn,
                  schemas.CloseRequestIn, schemas.OtpVerifyIn, schemas.CitizenFileIn, schemas.OfficeIn,
                  schemas.InstitutionIn, schemas.ReceiptVerifyIn):
        fields |= set(model.model_fields)
    fields |= {f"place.{f}" for f in schemas.PlaceIn.model_fields}
    assert {f for f in FIELD_LABELS if ".*." not in f and not f.endswith(".*")} <= fields
    assert {f.split(".", 1)[0] for f in FIELD_LABELS if ".*" in f} <= fields


# Words of pydantic's English messages, and the codes of choices: none may reach a person.
ENGLISH = ["should", "must", "input", "valid", "value", "field", "string", "list", "item", "pattern", "expected",
           "least", "characters", "least", "allowed", "greater", "less", "number", "object", "required", "type"]
CODES = ["positive", "negative", "informed", "not_competent", "face_to_face", "other_unit", "several_institutions",
         "application/pdf", "image/jpeg", "supervisor", "email_link"]
JUNK = [None, 123, 1.5, True, "", "x", "x" * 20_000, [], [1, None], {}, {"a": 1}, "2026-13-45", "\u200b"]


def _all_models():
    from pydantic import BaseModel

    from chalicelib.domain import schemas
    models = [getattr(schemas, name) for name in schemas.MODELS]
    assert all(isinstance(m, type) and issubclass(m, BaseModel) for m in models)
    return models


@pytest.mark.parametrize("package, modules, count", [
    ("chalicelib.domain.schemas", ("submission", "requests"), 49),
    ("chalicelib.api.responses", ("filing", "answers"), 74),
])
def test_every_model_is_in_its_package_lazy_index(package, modules, count):
    """The package finds a model by the name MODELS gives it: one defined and not listed
    could not be imported from the package."""
    import importlib
    import inspect

    from pydantic import BaseModel

    defined = {}
    for module in modules:
        loaded = importlib.import_module(f"{package}.{module}")
        defined.update({name: module for name, m in inspect.getmembers(loaded, inspect.isclass)
                        if issubclass(m, BaseModel) and m.__module__ == loaded.__name__ and not name.startswith("_")})
    assert importlib.import_module(package).MODELS == defined
    assert len(defined) == count


def test_a_submission_defines_only_the_filing_models():
    """A cold container's first submission imports the filing's request and response models,
    not the ninety others."""
    import subprocess
    import sys
    from pathlib import Path
    code = ("import sys; from chalicelib.domain.schemas import ApplicationIn, parse; "
            "from chalicelib.api.http import model_of; model_of('ApplicationOut'); model_of('ErrorOut'); "
            "print([m for m in ('chalicelib.domain.schemas.requests', 'chalicelib.api.responses.answers') "
            "if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=str(Path(__file__).resolve().parents[2]))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_every_error_of_every_request_model_speaks_turkish():
    import re

    from chalicelib.domain.errors import AppError
    from chalicelib.domain.schemas import parse
    seen = 0
    for model in _all_models():
        for name in model.model_fields:
            for junk in JUNK:
                try:
                    parse(model, {name: junk})
                except AppError as exc:
                    for err in exc.body().get("errors") or [exc.body()["error"]]:
                        seen += 1
                        words = set(re.findall(r"[a-z]+", err["message"].lower()))
                        assert not words & set(ENGLISH), (model.__name__, name, junk, err["message"])
                        assert not [c for c in CODES if c in err["message"]], (model.__name__, name, err["message"])
                        assert err["code"].isascii() and " " not in err["code"]
    assert seen > 500


def test_every_e_mail_field_is_checked_and_an_empty_optional_one_is_none():
    from chalicelib.domain.schemas import DistrictIn, OfficeIn
    with pytest.raises(ValidationFailed) as exc:
        parse(DistrictIn, {"institutions": [{"id": "34-x.belediye", "kind": "belediye", "name": "X Belediyesi",
                                             "liaison_email": "yok"}]})
    assert {(e["field"], e["code"]) for e in exc.value.errors} == {("institutions.0.liaison_email", "invalid_email")}
    with pytest.raises(ValidationFailed) as exc:
        parse(OfficeIn, {"email": "buro@ornek.example", "supervisor_email": "sorumlu@", "kep": "kep@", "version": 1})
    assert {(e["field"], e["code"]) for e in exc.value.errors} == {("supervisor_email", "invalid_email"),
                                                                  ("kep", "invalid_email")}
    data = copy.deepcopy(VALID_APPLICATION)
    data["applicant"]["email"] = "  "
    assert parse(ApplicationIn, data).applicant.email is None


def test_text_is_stored_in_nfc_without_bidi_overrides():
    data = copy.deepcopy(VALID_APPLICATION)
    data["subject"] = "Kaldırım c\u0327o\u0308kmu\u0308s\u0327 \u202egnp.exe\u202c"   # decomposed ç, ö, ü, ş
    data["applicant"]["first_name"] = "\u2066Ayşe\u2069"
    req = parse(ApplicationIn, data)
    assert req.subject == "Kaldırım çökmüş gnp.exe" and len(req.subject) == 23
    assert req.applicant.first_name == "Ayşe"
    data["description"] = "Satır bir.\nSatır iki: açıklama birden çok satır olabilir."
    assert "\n" in parse(ApplicationIn, data).description


def test_an_empty_text_or_an_unmade_choice_is_said_as_a_person_would():
    """Issue 41 item 7: the institution page showed "Cevap metni en az 1 karakter olmalıdır"
    and "Önerilen sonuç için geçerli değerler: olumlu, …" for a blank form."""
    from chalicelib.domain.schemas import AnswerIn
    with pytest.raises(ValidationFailed) as exc:
        parse(AnswerIn, {"text": "", "outcome": "", "responder_name": "Ali Kaya", "responder_title": "Müdür"})
    by_field = {e["field"]: e for e in exc.value.errors}
    assert by_field["text"]["code"] == "required" and by_field["text"]["message"].endswith("boş bırakılamaz.")
    assert by_field["outcome"]["code"] == "required" and "bir seçim yapınız" in by_field["outcome"]["message"]
    assert all("en az 1 karakter" not in e["message"] and "geçerli değerler" not in e["message"]
               for e in exc.value.errors)
    with pytest.raises(ValidationFailed) as exc:           # a wrong choice still names the valid ones
        parse(AnswerIn, {"text": "Gereği yapıldı.", "outcome": "belki", "responder_name": "Ali Kaya",
                         "responder_title": "Müdür"})
    assert exc.value.errors[0]["code"] == "invalid_choice" and "olumlu" in exc.value.errors[0]["message"]
