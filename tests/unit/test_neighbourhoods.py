"""The place picker's data: names written out in full and capitalised the Turkish way,
sorted in the Turkish alphabet, read one province at a time (tools/build_geo.py,
domain/catalog.neighbourhoods)."""
from __future__ import annotations

import pytest

from chalicelib.domain import catalog as C
from tools.build_geo import neighbourhood_name, turkish_key


@pytest.mark.parametrize("raw, name", [
    ("Cevizli Mah", "Cevizli Mahallesi"),
    ("Abanoz Mah (bahçeli Köyü)", "Abanoz Mahallesi (Bahçeli Köyü)"),
    ("Ada Mah (ırmakyanı Köyü)", "Ada Mahallesi (Irmakyanı Köyü)"),      # ı -> I, not İ
    ("Ağagil Mah (işhan Köyü)", "Ağagil Mahallesi (İşhan Köyü)"),         # i -> İ, not I
    ("Söğütlü  Mah (ovacık Mah)", "Söğütlü Mahallesi (Ovacık Mahallesi)"),
    ("Mahmutbey Mah", "Mahmutbey Mahallesi"),                             # "Mah" inside a word stays
    ("Camiliyayla Köyü", "Camiliyayla Köyü"),
])
def test_a_source_name_written_out(raw, name):
    assert neighbourhood_name(raw) == name


def test_turkish_alphabetical_order():
    names = ["Zeytinli", "Çınar", "Cevizli", "İdealtepe", "Işık", "Hürriyet", "Ömerli", "Osmangazi", "Şirinler", "Sahil"]
    assert sorted(names, key=turkish_key) == ["Cevizli", "Çınar", "Hürriyet", "Işık", "İdealtepe", "Osmangazi",
                                              "Ömerli", "Sahil", "Şirinler", "Zeytinli"]


def test_every_district_has_its_list_and_a_province_as_a_whole_has_none():
    cat = C.catalog()
    empty = [code for code, d in cat.districts.items() if not code.endswith("-il") and not C.neighbourhoods(code)]
    assert empty == []
    assert C.neighbourhoods("06-il") == () and C.neighbourhoods("06-nowhere") is None
    assert "Kızılay Mahallesi" in C.neighbourhoods("06-cankaya")
    for code in ("34-maltepe", "08-yusufeli"):
        names = C.neighbourhoods(code)
        assert list(names) == sorted(names, key=turkish_key) and len(set(names)) == len(names)
