from datetime import date, datetime, timezone

import pytest

from chalicelib.domain.principal import Principal
from chalicelib.domain import office as policy
from chalicelib.domain.case import Applicant, Case, Status


def new_case(**kw):
    base = dict(application_no="AAAAAAAAAA", access_code_hash="h", type="sikayet", law="3071",
                category="yol_kaldirim", district="34-maltepe", province="34", subject="Konu",
                description="Açıklama metni", applicant=Applicant("10000000146", "Ayşe", "Yılmaz", "+905321234567",
                                                                 "Adres satırı bir"),
                channel="web", received_at=datetime(2026, 11, 30, 9, tzinfo=timezone.utc),
                receipt_date=date(2026, 11, 30), legal_due_date=date(2026, 12, 30))
    base.update(kw)
    return Case(**base)


DESK = Principal("d", "desk", "34-maltepe", "34")
SUP = Principal("s", "supervisor", "34-maltepe", "34")
OTHER_DESK = Principal("o", "desk", "06-cankaya", "06")
PROVINCE = Principal("p", "province", None, "34")
OTHER_PROVINCE = Principal("q", "province", None, "06")
ADMIN = Principal("a", "admin", None, None)


@pytest.mark.parametrize("who, read, act, supervise", [
    (DESK, True, True, False), (SUP, True, True, True), (OTHER_DESK, False, False, False),
    (PROVINCE, True, False, False), (OTHER_PROVINCE, False, False, False), (ADMIN, False, False, False)])
def test_scope(who, read, act, supervise):
    assert policy.can_read(who, "34-maltepe", "34") is read
    assert policy.can_act(who, "34-maltepe") is act
    assert policy.can_supervise(who, "34-maltepe") is supervise


def test_allowed_actions_follow_status_and_role():
    assert "conclude" in policy.allowed_actions(Status.INSTITUTION_ANSWERED, DESK, "34-maltepe")
    assert "conclude" not in policy.allowed_actions(Status.FORWARDED, DESK, "34-maltepe")
    assert policy.allowed_actions(Status.CONCLUDED, DESK, "34-maltepe") == []
    assert policy.allowed_actions(Status.CONCLUDED, SUP, "34-maltepe") == ["reopen"]
    assert policy.allowed_actions(Status.IN_REVIEW, PROVINCE, "34-maltepe") == []


def test_reason_codes_cover_the_grounds_of_domain_md():
    assert set(policy.NOT_PROCESSED_REASONS) == {
        "judicial_matter", "no_clear_subject", "private_dispute", "identity_misuse", "prosecutor_matter",
        "suspicion_only", "abusive_repetition", "no_public_remit", "special_procedure", "missing_elements",
        "merged_duplicate"}
    texts = list(policy.NOT_PROCESSED_REASONS.values())
    assert len(set(texts)) == len(texts)                       # no two grounds read alike
    for text in texts:                                         # a Turkish sentence, not a code
        assert len(text) >= 15 and text[0].isupper() and " " in text and not text.isascii(), text
        assert "_" not in text
