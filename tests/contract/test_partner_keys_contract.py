"""The `PartnerKeys` port: its fake and its DynamoDB adapter behave the same."""
from __future__ import annotations

from datetime import timedelta


from tests.contract.conftest import T0


def test_a_partner_key_is_checked_counted_and_limited_in_one_write(p):
    from chalicelib.domain.partners import Partner
    p.partners.add(Partner(id="p-1", name="Kent", contact="k@k.example", districts=["34-maltepe"], rate_limit=2,
                              created_at=T0, key_hash="h" * 64))
    assert p.partners.use("x" * 64, 100, T0) == ("unknown", None)
    assert p.partners.get("h" * 64).name == "Kent" and p.partners.get("x" * 64) is None
    outcomes = [p.partners.use("h" * 64, 100, T0)[0] for _ in range(3)]
    assert outcomes == ["ok", "ok", "limited"]
    outcome, partner = p.partners.use("h" * 64, 101, T0 + timedelta(minutes=1))   # a new minute
    assert outcome == "ok" and partner.uses == 3 and partner.name == "Kent" and partner.districts == ["34-maltepe"]
    [listed] = [p for p in p.partners.all() if p.id == "p-1"]
    assert listed.uses == 3 and listed.active
    assert p.partners.revoke("h" * 64, T0) is True and p.partners.revoke("h" * 64, T0) is False
    assert p.partners.use("h" * 64, 101, T0)[0] == "revoked"

