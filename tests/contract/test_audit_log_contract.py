"""The `AuditLog` port: its fake and its DynamoDB adapter behave the same."""
from __future__ import annotations

from datetime import timedelta

from chalicelib.domain.audit import AuditEntry
from tests.contract.conftest import T0


def test_entries_are_appended_and_read_back_per_subject_in_order(p):
    p.audit.record(AuditEntry("AAAAAAAAAA", "masa.maltepe", "desk", "view", T0, "1.2.3.4"))
    p.audit.record(AuditEntry("AAAAAAAAAA", "masa.maltepe", "desk", "reveal", T0 + timedelta(seconds=1), "1.2.3.4",
                              {"field": "national_id"}))
    p.audit.record(AuditEntry("BBBBBBBBBB", "sorumlu.maltepe", "supervisor", "view", T0, None))
    trail = p.audit.trail("AAAAAAAAAA")
    assert [(e["actor"], e["action"], e["source_ip"]) for e in trail] == [
        ("masa.maltepe", "view", "1.2.3.4"), ("masa.maltepe", "reveal", "1.2.3.4")]
    assert trail[1]["detail"] == {"field": "national_id"}
    assert [e["action"] for e in p.audit.trail("BBBBBBBBBB")] == ["view"] and p.audit.trail("CCCCCCCCCC") == []
