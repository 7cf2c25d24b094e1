"""The API's messages in English and Arabic (domain/i18n.py): which language a request
gets, and that every message a citizen can meet has both translations, with the same
placeholders."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from chalicelib.domain import i18n
from chalicelib.domain.attachments import MESSAGES as ATTACHMENT_MESSAGES
from chalicelib.domain.schemas import _BUILTIN
from chalicelib.services.citizen_session import SENT_MESSAGE
from chalicelib.services.receipts import INVALID, _valid
from chalicelib.services.tracking import NOT_FOUND_MESSAGE

ROOT = Path(__file__).resolve().parents[2]
# What a citizen's requests go through: the citizen API and the services and rules behind it.
CITIZEN_SURFACE = ["chalicelib/api/citizen.py", "chalicelib/api/http.py",
                   *[f"chalicelib/services/{m}.py" for m in ("tracking", "citizen_session", "citizen_files", "applications",
                                                             "receipts", "receipt_codes", "sessions", "feedback", "uploads",
                                                             "reference")],
                   *[f"chalicelib/domain/{m}.py" for m in ("otp", "throttle", "numbers", "attachments", "idempotency",
                                                           "receipts", "surveys", "errors")],
                   "chalicelib/domain/schemas/__init__.py", "chalicelib/domain/schemas/submission.py",
                   "chalicelib/domain/schemas/requests.py"]
_RAISERS = {"AppError", "NotFound", "Conflict", "Throttled", "Gone", "Unauthorized", "Forbidden",
            "PydanticCustomError", "_in_catalog"}


def _raised() -> tuple[set[str], set[str]]:
    """(literal Turkish messages, codes of messages written at run time) in the surface."""
    literal, dynamic = set(), set()
    for path in CITIZEN_SURFACE:
        for node in ast.walk(ast.parse((ROOT / path).read_text("utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            args = node.args[1:] if name == "_in_catalog" else node.args
            if name not in _RAISERS or len(args) < 2 or not isinstance(args[0], ast.Constant):
                continue
            if isinstance(args[1], ast.Constant):
                literal.add(args[1].value)
            else:
                dynamic.add(args[0].value)
    return literal, dynamic


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))


@pytest.mark.parametrize("header, lang", [
    (None, "tr"), ("", "tr"), ("tr-TR,tr;q=0.9", "tr"), ("en-GB,en;q=0.9", "en"), ("ar-SA", "ar"),
    ("de-DE, en;q=0.5, ar;q=0.7", "ar"), ("fr, de", "tr"), ("en;q=0", "tr"), ("EN", "en"),
    ("tr;q=0.4, en;q=0.8", "en"), ("en;q=abc, ar", "ar"), ("x" * 10_000 + ",en", "tr"),
])
def test_the_language_a_request_gets(header, lang):
    assert i18n.negotiate(header) == lang


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_message_a_citizen_can_meet_is_translated(lang):
    cat = i18n.catalogue(lang)
    literal, dynamic = _raised()
    wanted = literal | {t for _, t in _BUILTIN.values()} | set(ATTACHMENT_MESSAGES.values()) | {
        NOT_FOUND_MESSAGE, SENT_MESSAGE, INVALID["message"], _valid("A", "34-maltepe", "", "")["message"],   # answers
        "{label} boş bırakılamaz.", "{label} için bir seçim yapınız.", "{label} geçersiz.",
        "İstek gövdesi bir JSON nesnesi olmalıdır.", "Beklenmeyen bir hata oluştu; lütfen daha sonra tekrar deneyiniz."}
    assert sorted(wanted - set(cat["messages"])) == []
    assert sorted(dynamic - set(cat["codes"])) == []      # a message written at run time: by its code
    for turkish, translated in cat["messages"].items():
        assert _placeholders(translated) == _placeholders(turkish), turkish
        assert translated != turkish or not re.search("[çğıöşüİ]", turkish)


def test_a_field_message_names_the_field_and_the_choices_in_the_language():
    ctx = {"label": "Başvuru kanalı", "choices": ["internet", "mobil uygulama"], "expected": "internet ya da mobil uygulama"}
    assert i18n.field_message("en", "{label} için geçerli değerler: {expected}.", ctx, "invalid_choice") == \
        "Valid values for Channel: web or mobile app."
    ar = i18n.field_message("ar", "{label} için geçerli değerler: {expected}.", ctx, "invalid_choice")
    assert ar == "القيم الصالحة لـ قناة التقديم: الإنترنت أو تطبيق الهاتف."
    assert i18n.field_message("en", "Hiç yazılmamış bir kalıp.", {}, "nothing_like_it") is None


def test_a_message_without_a_translation_stays_turkish_and_keeps_its_code():
    body = {"error": {"code": "brand_new", "message": "Yeni bir hata.", "field": "x"}}
    assert i18n.localise(body, "en") == body
    found = {"error": {"code": "not_found", "message": "Bu numara ve erişim koduyla eşleşen bir başvuru bulunamadı."}}
    assert i18n.localise(found, "ar")["error"] == {"code": "not_found",
                                                  "message": "لا يوجد طلب يطابق هذا الرقم ورمز الوصول."}


def test_field_errors_without_a_template_are_translated_whole():
    """A ValidationFailed made by hand (a file's check, a body that is no object) has no
    template: each of its errors is translated as a whole message, not left in Turkish."""
    body = {"error": {"code": "attachment_too_large", "message": "Dosya 10 MB sınırını aşıyor.", "field": "file"},
            "errors": [{"code": "attachment_too_large", "message": "Dosya 10 MB sınırını aşıyor.", "field": "file"},
                       {"code": "brand_new", "message": "Yeni bir hata.", "field": "x"}]}
    out = i18n.localise(body, "en")
    assert [e["message"] for e in out["errors"]] == ["The file exceeds the 10 MB limit.", "Yeni bir hata."]
    assert out["error"]["message"] == "The file exceeds the 10 MB limit."
    assert [(e["code"], e["field"]) for e in out["errors"]] == [("attachment_too_large", "file"), ("brand_new", "x")]
