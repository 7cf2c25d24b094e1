"""Where the data is held follows from the deployment (KVKK art. 9 as amended by Law 7499),
and the art. 10 notice names what the Aydınlatma Tebliği art. 5 asks (docs/kvkk.md)."""
from __future__ import annotations

import pytest

from chalicelib.domain import hosting
from chalicelib.domain.notice import RIGHTS, notice

MALTEPE = {"name": "Maltepe Kaymakamlığı", "address": "Bağlarbaşı Mah. Maltepe / İstanbul", "phone": "0216 000 00 00",
           "email": "acikkapi@maltepe-kaymakamligi.example", "kep": "maltepekaymakamligi@hs01.kep.tr"}


def test_a_region_outside_turkiye_without_a_transfer_basis_is_refused_naming_the_setting():
    with pytest.raises(hosting.NoTransferBasis) as exc:
        hosting.data_location("eu-central-1", stage="prod", transfer_basis="")
    assert "TRANSFER_BASIS" in str(exc.value) and "eu-central-1" in str(exc.value)
    for wrong in ("contract:2026-01-15", "standard_contract:", "standard_contract"):
        with pytest.raises(ValueError) as exc:
            hosting.data_location("eu-central-1", stage="prod", transfer_basis=wrong)
        assert "TRANSFER_BASIS" in str(exc.value), wrong


def test_where_the_data_is_follows_from_the_region_never_from_a_label():
    frankfurt = hosting.data_location("eu-central-1", stage="prod", transfer_basis="standard_contract:2026-01-15")
    assert frankfurt.abroad and frankfurt.country == "Almanya" and "eu-central-1" in frankfurt.place
    assert "standart sözleşme" in frankfurt.basis and "2026-01-15" in frankfurt.basis
    assert "Amazon Web Services" in frankfurt.recipient
    virginia = hosting.data_location("us-east-1", stage="prod", transfer_basis="adequacy:2027/1 sayılı karar")
    assert virginia.country == "Amerika Birleşik Devletleri" and "yeterlilik" in virginia.basis
    unknown = hosting.data_location("ap-south-9", stage="prod", transfer_basis="undertaking:2026-03-01")
    assert unknown.abroad and "ap-south-9" in unknown.place           # never assumed to be in Türkiye
    local = hosting.data_location("eu-central-1", stage="local", transfer_basis="")
    assert not local.abroad and "yerel" in local.place


def _text(doc) -> str:
    return "\n".join(f"{s['title']}: {s['text']}" for s in doc["sections"])


def test_the_notice_names_the_office_every_recipient_every_right_and_the_transfer_abroad():
    where = hosting.data_location("eu-central-1", stage="prod", transfer_basis="standard_contract:2026-01-15")
    doc = notice(MALTEPE, where, retention_years=10)
    text = _text(doc)
    assert doc["controller"].startswith("Maltepe Kaymakamlığı") and doc["abroad"] is True
    for fact in (MALTEPE["address"], MALTEPE["phone"], MALTEPE["email"], MALTEPE["kep"]):
        assert fact in doc["controller"]
    # the method of collection, and what is collected, photos and access logs included
    assert "yüz yüze" in text and "Open311" in text and "elektronik ortamda" in text
    assert "fotoğraf ve belgeler" in text and "internet adresi" in text
    # the recipients: institutions, the prosecutor, the processors for SMS, e-mail and hosting, partners
    assert "Cumhuriyet Başsavcılığına" in text and "SMS" in text and "e-posta" in text and "barındırma" in text
    # special categories of data, which complaints often carry
    assert "Özel nitelikli" in text and "m. 6" in text
    # the transfer abroad: country, recipient, basis
    assert "Almanya" in text and "yurt dışına aktarım" in text and "2026-01-15" in text
    assert "Amazon Web Services EMEA" in text
    # every right of art. 11, (a) to (ğ), and how to use them
    for letter in "a b c ç d e f g ğ".split():
        assert f"({letter})" in text, letter
    assert len(RIGHTS) == 9 and "30 gün" in text and "Kuruluna şikâyet" in text
    assert "10 yıl" in text


def test_before_a_district_is_chosen_the_notice_says_the_controller_is_the_office_applied_to():
    doc = notice(None, hosting.data_location("eu-central-1", stage="local", transfer_basis=""), retention_years=10)
    assert "valilik ya da kaymakamlık" in doc["controller"] and doc["abroad"] is False
    assert "yurt dışına aktarım" not in _text(doc)
