"""The `PhoneCodes` port: its fake and its DynamoDB adapter behave the same."""
from __future__ import annotations

from datetime import timedelta

from tests.contract.conftest import T0


def test_a_code_is_tried_at_most_its_tries_and_only_while_valid(p):

    assert p.phone_codes.try_code("subject-1", T0, 5) is None                 # no code
    p.phone_codes.put("subject-1", "hash-1", T0 + timedelta(minutes=5))
    assert [p.phone_codes.try_code("subject-1", T0, 3) for _ in range(4)] == ["hash-1", "hash-1", "hash-1", None]
    p.phone_codes.put("subject-1", "hash-2", T0 + timedelta(minutes=5))        # a new code: its tries start again
    assert p.phone_codes.try_code("subject-1", T0, 3) == "hash-2"
    assert p.phone_codes.try_code("subject-1", T0 + timedelta(minutes=5), 3) is None   # expired at its last second
    p.phone_codes.delete("subject-1")
    p.phone_codes.put("subject-2", "hash-3", T0 + timedelta(minutes=5))
    p.phone_codes.delete("subject-2")
    assert p.phone_codes.try_code("subject-2", T0, 3) is None                  # used: gone
