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
    assert "conclude" in policy.allowed_actions(new_case(status=Status.INSTITUTION_ANSWERED), DESK)
    assert "conclude" not in policy.allowed_actions(new_case(status=Status.FORWARDED), DESK)
    assert policy.allowed_actions(new_case(status=Status.CONCLUDED), DESK) == []
    assert policy.allowed_actions(new_case(status=Status.CONCLUDED), SUP) == ["reopen", "legal-hold"]
    held = new_case(status=Status.CONCLUDED)
    held.legal_hold = {"reason": "Dava açıldı", "by": "sorumlu", "at": "2026-01-05T10:00:00+00:00"}
    assert policy.allowed_actions(held, SUP) == ["reopen", "release-hold"]
    gone = new_case(status=Status.CONCLUDED)
    gone.anonymised_at = gone.received_at
    assert policy.allowed_actions(gone, SUP) == []
    assert policy.allowed_actions(new_case(status=Status.IN_REVIEW), PROVINCE) == []
    assert "information-received" in policy.allowed_actions(new_case(status=Status.AWAITING_APPLICANT), DESK)


def test_a_thanks_is_acknowledged_never_forwarded_or_concluded():
    thanks = new_case(type="tesekkur", status=Status.IN_REVIEW, legal_due_date=None)
    actions = policy.allowed_actions(thanks, DESK)
    assert "acknowledge" in actions and not {"forward", "conclude", "request-info", "evaluate"} & set(actions)


def test_the_office_may_extend_an_information_request_until_the_15th_working_day():
    # received Mon 30 Nov 2026: the 15th working day is Mon 21 Dec 2026
    info = new_case(type="bilgi_edinme", law="4982", status=Status.FORWARDED, legal_due_date=date(2026, 12, 21))
    assert "extend" in policy.allowed_actions(info, DESK, today=date(2026, 12, 21))
    assert "extend" not in policy.allowed_actions(info, DESK, today=date(2026, 12, 22))
    info.extended = True
    assert "extend" not in policy.allowed_actions(info, DESK, today=date(2026, 12, 1))


@pytest.mark.parametrize("concluded_at, last_day, open_at, closed_at", [
    # concluded 22:30 UTC on 1 March = 01:30 on 2 March in İstanbul: the 30 days run from 2 March
    (datetime(2026, 3, 1, 22, 30, tzinfo=timezone.utc), date(2026, 4, 1),
     datetime(2026, 4, 1, 20, 59, tzinfo=timezone.utc), datetime(2026, 4, 1, 21, 0, tzinfo=timezone.utc)),
    (datetime(2026, 1, 7, 9, 0, tzinfo=timezone.utc), date(2026, 2, 6),
     datetime(2026, 2, 6, 20, 59, 59, tzinfo=timezone.utc), datetime(2026, 2, 6, 21, 0, 0, tzinfo=timezone.utc)),
])
def test_an_objection_is_open_until_the_end_of_the_30th_day_istanbul_time(concluded_at, last_day, open_at, closed_at):
    assert policy.objection_last_day(concluded_at) == last_day
    assert policy.objection_open(concluded_at, open_at) is True
    assert policy.objection_open(concluded_at, closed_at) is False


def test_actors_are_named_for_people():
    assert policy.actor_name("citizen") == "Başvuru sahibi"
    assert policy.actor_name("system") == "Sistem"
    assert policy.actor_name("institution:34-maltepe.belediye", {"34-maltepe.belediye": "Maltepe Belediyesi"}) \
        == "Maltepe Belediyesi"
    assert policy.actor_name("masa.maltepe") == "masa.maltepe"


def test_the_only_grounds_for_not_processing_are_those_of_3071_article_6_each_cited():
    """3071 art. 6: no specific subject (a), a matter of the courts (b), an element of
    art. 4 missing (c; an unverified electronic application has no signature). A crime
    report or another authority's matter is sent on (`refer`), never closed."""
    assert set(policy.NOT_PROCESSED_REASONS) == {"no_clear_subject", "judicial_matter", "missing_elements",
                                                 "unverified_identity"}
    for code, (name, source) in policy.NOT_PROCESSED_GROUNDS.items():
        assert source.startswith("3071 sayılı Kanun md. ") and "6" in source, code
    assert "md. 6/a" in policy.NOT_PROCESSED_REASONS["no_clear_subject"]
    assert "md. 6/b" in policy.NOT_PROCESSED_REASONS["judicial_matter"]
    assert "yasama" not in policy.NOT_PROCESSED_REASONS["judicial_matter"].lower()
    for gone in ("prosecutor_matter", "special_procedure", "no_public_remit", "identity_misuse", "already_answered"):
        assert gone not in policy.NOT_PROCESSED_REASONS and policy.reason_name(gone)   # old cases still read
    texts = list(policy.NOT_PROCESSED_REASONS.values())
    assert len(set(texts)) == len(texts)                       # no two grounds read alike
    for text in texts:                                         # a Turkish sentence, not a code
        assert len(text) >= 15 and text[0].isupper() and " " in text and not text.isascii(), text
        assert "_" not in text


def test_every_action_is_declared_once_and_offered_routed_and_shown_by_that_one_name():
    """An action is one declaration (services/office/actions.py): the route's last segment,
    what allowed_actions offers, what the console tests for and posts to are one spelling."""
    import inspect
    import re
    from pathlib import Path

    from chalicelib.services.office import ACTIONS
    offered = set(re.findall(r'"([a-z-]+)"', inspect.getsource(policy.allowed_actions)))
    assert offered - {"supervisor", "dismissed"} == set(ACTIONS)     # less the role and flag names it reads
    console = (Path(__file__).resolve().parents[2] / "web" / "js" / "buro" / "case.js").read_text()
    shown = set(re.findall(r'actions\.has\("([a-z_-]+)"\)', console))
    assert shown == set(ACTIONS)
    for name, declared in ACTIONS.items():
        assert declared.request.__name__.endswith("In") and declared.summary
        assert declared.run.__name__ == name.replace("-", "_")
