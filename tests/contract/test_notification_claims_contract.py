"""The `NotificationClaims` port: its fake and its DynamoDB adapter behave the same."""
from __future__ import annotations

from tests.contract.conftest import T0


def test_a_notification_is_claimed_once_and_a_released_claim_can_be_taken_again(p):
    assert p.claims.claim("AAAAAAAAAA:receipt:citizen", "sms", "receipt", T0) is True
    assert p.claims.claim("AAAAAAAAAA:receipt:citizen", "sms", "receipt", T0) is False    # a redelivery
    assert p.claims.claim("AAAAAAAAAA:receipt:citizen-email", "email", "receipt", T0) is True
    p.claims.release("AAAAAAAAAA:receipt:citizen")                                        # the provider refused it
    assert p.claims.claim("AAAAAAAAAA:receipt:citizen", "sms", "receipt", T0) is True
