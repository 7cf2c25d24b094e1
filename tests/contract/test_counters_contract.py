"""The `Counters` port: its fake and its DynamoDB adapter behave the same."""
from __future__ import annotations

from datetime import timedelta

from chalicelib.domain.throttle import Counter
from tests.contract.conftest import T0, new_case


def _count(p, counter):
    return p.cases.get_public_and_count("NONE000000", counter)[1]


def test_an_attempt_is_checked_and_counted_at_once_and_can_be_given_back(p):
    number, client = Counter("track-no", "AAAAAAAAAA", 7), Counter("track-ip", "1.2.3.4", 7)
    expires = T0 + timedelta(hours=1)
    assert [p.counters.take(number, 2, expires) for _ in range(3)] == [True, True, False]
    assert _count(p, number) == 2                                    # the refused one counted nothing
    p.counters.give_back(number)
    assert _count(p, number) == 1
    assert p.counters.take(number, 2, expires) is True
    p.counters.give_back(client)                                      # never below zero
    assert _count(p, client) == 0
    p.cases.add_submission(new_case("AAAAAAAAAA"), None)
    p.counters.increment(client, expires)
    p.counters.increment(client, expires)
    case, count = p.cases.get_public_and_count("AAAAAAAAAA", client)
    assert count == 2 and case.application_no == "AAAAAAAAAA" and case.applicant.national_id == ""
    assert p.cases.get_public_and_count("BBBBBBBBBB", Counter("track-ip", "9.9.9.9", 7)) == (None, 0)
