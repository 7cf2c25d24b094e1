"""The `Counters` port: its fake and its DynamoDB adapter behave the same."""
from __future__ import annotations

from datetime import timedelta

from chalicelib.domain.throttle import Counter
from tests.contract.conftest import T0


def test_an_attempt_is_checked_and_counted_at_once_and_can_be_given_back(p):
    number, client = Counter("track-no", "AAAAAAAAAA", 7), Counter("track-ip", "1.2.3.4", 7)
    expires = T0 + timedelta(hours=1)
    assert [p.counters.take(number, 2, expires) for _ in range(3)] == [True, True, False]   # the refused one counts nothing
    p.counters.give_back(number)
    assert [p.counters.take(number, 2, expires) for _ in range(2)] == [True, False]
    p.counters.give_back(client)                                      # never below zero
    assert [p.counters.take(client, 1, expires) for _ in range(2)] == [True, False]
    assert p.counters.take(Counter("track-ip", "1.2.3.4", 8), 1, expires) is True       # another window

