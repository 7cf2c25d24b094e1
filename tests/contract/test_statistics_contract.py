"""The `Statistics` port: its fake and its DynamoDB adapter behave the same."""
from __future__ import annotations

import copy
from datetime import date, datetime, timezone

import pytest

from chalicelib.domain.case import Status
from chalicelib.domain.surveys import SurveyAnswer
from chalicelib.services.ports import StaleCase
from tests.contract.conftest import T0, assignment, new_case


def test_the_district_counters_move_in_the_same_write_as_the_case(p):
    for i in range(3):
        p.cases.add_submission(new_case(f"AAAAAAAAA{i}"), None)
    p.cases.add_submission(new_case("BBBBBBBBBB", district="06-cankaya"), None)
    case = p.cases.get("AAAAAAAAA0")
    case.status = Status.FORWARDED
    p.cases.commit_forward(case, [assignment("AAAAAAAAA0")])
    case.status, case.concluded_at = Status.CONCLUDED, datetime(2026, 1, 20, 9, tzinfo=timezone.utc)  # on time
    p.cases.commit(case, [])
    late = p.cases.get("AAAAAAAAA1")
    stale = copy.deepcopy(late)                                   # another clerk's copy, before the write
    late.status, late.concluded_at = Status.CONCLUDED, datetime(2026, 2, 10, 9, tzinfo=timezone.utc)  # after 4 Feb
    p.cases.commit(late, [])
    stale.status = Status.IN_REVIEW
    with pytest.raises(StaleCase):
        p.cases.commit(stale, [])                                    # a refused write moves no counter
    stats = p.statistics.district("34-maltepe")
    assert stats.status == {"received": 1, "forwarded": 0, "concluded": 2}
    assert stats.intake == {"2026-01-05": 3}
    assert stats.concluded == {"2026-01-19": 1, "2026-02-09": 1} and stats.on_time == {"2026-01-19": 1}
    assert p.statistics.district("06-cankaya").status == {"received": 1}
    assert p.statistics.district("35-bornova").status == {}
    # several offices in one read: those with counters, each the same as read alone
    many = p.statistics.districts(["34-maltepe", "06-cankaya", "35-bornova"])
    assert set(many) == {"34-maltepe", "06-cankaya"}
    assert many["34-maltepe"] == p.statistics.district("34-maltepe")
    assert many["06-cankaya"].status == {"received": 1}


def test_a_survey_is_answered_once(p):
    answer = SurveyAnswer("AAAAAAAAAA", 5, None, "34-maltepe", "yol_kaldirim", "positive", "2026-01-05")
    assert p.statistics.survey_answered("AAAAAAAAAA") is False
    assert p.statistics.add_survey(answer) is True
    assert p.statistics.add_survey(answer) is False
    assert p.statistics.survey_answered("AAAAAAAAAA") is True



def test_month_cells_move_with_the_cases_and_published_documents_are_read_back(p):
    p.cases.add_submission(new_case("AAAAAAAAAA"), None)
    p.cases.add_submission(new_case("BBBBBBBBBB", district="06-cankaya", case_type="talep"), None)
    cells = {(d, t): c for d, t, c in p.statistics.month_cells("2026-01")}
    assert cells[("34-maltepe", "sikayet")]["received"] == 1 and cells[("06-cankaya", "talep")]["received"] == 1
    assert p.statistics.month_cells("2026-02") == []
    assert p.statistics.published(None, None) == ([], None)
    document = {"provisional": True, "national": [{"type": "all", "received": 2}],
                "provinces": {"34": [{"district": "34-maltepe", "received": 1}]}}
    index = [{"month": "2026-01", "provisional": True}]
    p.statistics.save_published("2026-01", document, index, T0, changed={"", "34"}, digests={"": "d1", "34": "d2"})
    assert p.statistics.published_digests("2026-01") == {"": "d1", "34": "d2"}
    assert p.statistics.published_digests("2025-12") == {}
    listed, national = p.statistics.published(None, None)
    assert listed == index and national["rows"] == [{"type": "all", "received": 2}] and national["provisional"]
    _, province = p.statistics.published("2026-01", "34")
    assert province["rows"] == [{"district": "34-maltepe", "received": 1}]
    assert p.statistics.published("2026-01", "06")[1] is None


def test_the_district_counters_are_rebuilt_from_the_cases(p):
    for i in range(3):
        p.cases.add_submission(new_case(f"AAAAAAAAA{i}"), None)
    done = p.cases.get("AAAAAAAAA0")
    done.status, done.concluded_at = Status.CONCLUDED, datetime(2026, 1, 20, 9, tzinfo=timezone.utc)
    p.cases.commit(done, [])
    rebuilt = p.statistics.rebuild_district("34-maltepe", date(2026, 1, 21))
    assert rebuilt.status == {"received": 2, "concluded": 1} and rebuilt.intake == {"2026-01-05": 3}
    assert rebuilt.concluded == {"2026-01-19": 1} and rebuilt.on_time == {"2026-01-19": 1}
    assert p.statistics.district("34-maltepe") == rebuilt


def test_a_survey_comment_is_erased_once(p):
    p.statistics.add_survey(SurveyAnswer("AAAAAAAAAA", 4, "Teşekkürler Ayşe Hanım", "34-maltepe", "yol_kaldirim",
                                         "positive", "2026-01-05", "sikayet"))
    p.statistics.add_survey(SurveyAnswer("BBBBBBBBBB", 3, None, "34-maltepe", "yol_kaldirim", "positive",
                                         "2026-01-05", "sikayet"))
    assert p.statistics.erase_survey_comment("AAAAAAAAAA") is True
    assert p.statistics.erase_survey_comment("AAAAAAAAAA") is False
    assert p.statistics.erase_survey_comment("BBBBBBBBBB") is False and p.statistics.survey_answered("AAAAAAAAAA")
    cells = {(d, t): c for d, t, c in p.statistics.month_cells("2026-01")}
    assert cells[("34-maltepe", "sikayet")]["survey_n"] == 2
