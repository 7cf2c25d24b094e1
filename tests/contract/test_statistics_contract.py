"""The `statistics` port: its fake and its DynamoDB adapter behave the same."""
from __future__ import annotations

import copy
from datetime import datetime, timezone

import pytest

from chalicelib.domain.case import Status
from chalicelib.domain.records import SurveyAnswer
from chalicelib.services.ports import (StaleCase)
from tests.contract.conftest import assignment, new_case


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


def test_a_survey_is_answered_once(p):
    answer = SurveyAnswer("AAAAAAAAAA", 5, None, "34-maltepe", "yol_kaldirim", "positive", "2026-01-05")
    assert p.statistics.survey_answered("AAAAAAAAAA") is False
    assert p.statistics.add_survey(answer) is True
    assert p.statistics.add_survey(answer) is False
    assert p.statistics.survey_answered("AAAAAAAAAA") is True

