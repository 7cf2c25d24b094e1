"""The `SubjectRequests` port: its fake and its DynamoDB adapter behave the same."""
from __future__ import annotations

import copy
from datetime import date, datetime, timezone

import pytest

from chalicelib.domain.subject_requests import SubjectRequest
from chalicelib.services.ports import StaleCase
from tests.contract.conftest import T0


def _request(rid: str, district="34-maltepe", received=date(2026, 1, 5)) -> SubjectRequest:
    return SubjectRequest(id=rid, district=district, national_id="10000000146", kind="access", channel="desk",
                          received_on=received, registered_by="sorumlu.maltepe", registered_at=T0)


def test_a_request_is_added_read_and_changed_at_its_version(p):
    r = _request("AAAAAAAA")
    p.subject_requests.add(r)
    assert r.version == 1
    got = p.subject_requests.get("AAAAAAAA")
    assert got.national_id == "10000000146" and got.due_on == r.due_on and got.status == "open"
    stale = copy.deepcopy(got)
    got.log.append({"at": "2026-01-05T12:00:00+03:00", "by": "x", "action": "copy"})
    p.subject_requests.save(got)
    with pytest.raises(StaleCase):
        p.subject_requests.save(stale)
    assert p.subject_requests.get("AAAAAAAA").log[0]["action"] == "copy"
    assert p.subject_requests.get("ZZZZZZZZ") is None


def test_requests_are_listed_by_district_and_status_and_found_on_their_reminder_day(p):
    early, late = _request("AAAAAAAA", received=date(2026, 1, 5)), _request("BBBBBBBB", received=date(2026, 1, 2))
    other = _request("CCCCCCCC", district="06-cankaya")
    for r in (early, late, other):
        p.subject_requests.add(r)
    assert [r.id for r in p.subject_requests.by_status("34-maltepe", "open")] == ["BBBBBBBB", "AAAAAAAA"]
    assert p.subject_requests.by_status("34-maltepe", "closed") == []
    before = datetime(2026, 1, 26, 4, tzinfo=timezone.utc)          # the reminder is 5 days before day 30
    assert p.subject_requests.due(before) == []
    due = sorted(r.id for r in p.subject_requests.due(datetime(2026, 2, 5, 9, tzinfo=timezone.utc)))
    assert due == ["AAAAAAAA", "BBBBBBBB", "CCCCCCCC"]
    late.warned = True
    p.subject_requests.save(late)
    assert "BBBBBBBB" not in {r.id for r in p.subject_requests.due(datetime(2026, 2, 5, 9, tzinfo=timezone.utc))}
