"""The `NotificationClaims` port: its fake and its DynamoDB adapter behave the same."""
from __future__ import annotations

from datetime import timedelta

from tests.contract.conftest import T0


def test_a_notification_is_claimed_once_and_a_released_claim_can_be_taken_again(p):
    assert p.claims.claim("AAAAAAAAAA:receipt:citizen", "sms", "receipt", T0) is True
    assert p.claims.claim("AAAAAAAAAA:receipt:citizen", "sms", "receipt", T0) is False    # a redelivery
    assert p.claims.claim("AAAAAAAAAA:receipt:citizen-email", "email", "receipt", T0) is True
    p.claims.release("AAAAAAAAAA:receipt:citizen")                                        # the provider refused it
    assert p.claims.claim("AAAAAAAAAA:receipt:citizen", "sms", "receipt", T0) is True


def test_a_budget_is_spent_once_per_member_within_its_limit(p):
    expires = T0 + timedelta(days=2)
    assert [p.claims.spend("sms#phone#740000", f"A{i}:e:citizen", 2, expires) for i in range(3)] == [True, True, False]
    assert p.claims.spend("sms#phone#740000", "A1:e:citizen", 2, expires) is True     # a redelivery of a spent one
    assert p.claims.spend("sms#phone#740000", "A2:e:citizen", 2, expires) is False    # still over
    assert p.claims.spend("sms#phone#740001", "A2:e:citizen", 2, expires) is True     # another day, another budget


def test_a_held_notification_is_recorded_once_under_its_case(p):
    assert p.claims.held("AAAAAAAAAA") == []
    p.claims.hold("AAAAAAAAAA", "AAAAAAAAAA:forwarded-1:citizen", "sms", "forwarded", T0 + timedelta(minutes=1))
    p.claims.hold("AAAAAAAAAA", "AAAAAAAAAA:receipt:citizen", "sms", "receipt", T0)
    p.claims.hold("AAAAAAAAAA", "AAAAAAAAAA:receipt:citizen", "sms", "receipt", T0 + timedelta(hours=1))  # again
    p.claims.hold("BBBBBBBBBB", "BBBBBBBBBB:receipt:citizen", "sms", "receipt", T0)
    assert [(h["template"], h["at"]) for h in p.claims.held("AAAAAAAAAA")] == [
        ("receipt", T0.isoformat()), ("forwarded", (T0 + timedelta(minutes=1)).isoformat())]
    assert [h["dedup_key"] for h in p.claims.held("BBBBBBBBBB")] == ["BBBBBBBBBB:receipt:citizen"]
