"""The citizen pages' dictionaries (web/i18n/en.json, ar.json): every Turkish text a page or
script writes has an English and an Arabic translation, with the same values in it, and the
Arabic is Arabic. tools/i18n_strings.py lists the texts; a new Turkish text without its
translations fails here."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tools import i18n_strings as S

WEB = Path(__file__).resolve().parents[2] / "web"
LANGS = ("en", "ar")


def dictionary(lang: str) -> dict:
    return json.loads((WEB / "i18n" / f"{lang}.json").read_text("utf-8"))


def test_the_texts_are_found_where_the_pages_write_them():
    texts = S.all_texts()
    # a page's text, a fragment around a link, a script's message, a template with values, a catalogue name
    for expected in ("Başvuru yap", "Devam et", "sayfasından numaranız ve erişim kodunuzla izleyebilirsiniz.",
                     "Konum kaldırıldı.", "{v1} dosya başvurunuza eklendi (fotoğrafların konum ve cihaz bilgileri silindi).",
                     "3071 sayılı Kanun: 30 gün", "Sokak aydınlatması", "Olumlu", "Başvurunuz {v1} iletildi."):
        assert expected in texts
    assert not [t for t in texts if t.startswith(("js/", "/v1/", "#", "acikkapi."))]     # code is not text


@pytest.mark.parametrize("lang", LANGS)
def test_every_text_has_its_translation(lang):
    assert S.missing(lang) == []


@pytest.mark.parametrize("lang", LANGS)
def test_a_pattern_keeps_its_values_and_a_text_has_none(lang):
    d = dictionary(lang)
    for key, value in d["patterns"].items():
        assert sorted(re.findall(r"\{v\d+\}", key)) == sorted(re.findall(r"\{v\d+\}", value)), key
    assert not [k for k in d["texts"] if re.search(r"\{v\d+\}", k)]


def test_the_arabic_is_arabic_and_the_english_has_no_turkish_left():
    ar, en = dictionary("ar"), dictionary("en")
    codes = re.compile(r"^[\dX\s/().:%+-]*$|^(Açık Kapı|PDF|SMS|HEIC|JPEG|PNG)$")
    for key, value in {**ar["texts"], **ar["patterns"]}.items():
        if not codes.match(value):
            assert re.search("[\u0600-\u06FF]", value), (key, value)
    names = re.compile(r"Açık Kapı|Türkiye|İstanbul|e-Devlet|\(ç\)|5/2-ç|KVKK|Kaymakamlığı")
    for key, value in {**en["texts"], **en["patterns"]}.items():
        assert not re.search("[çğışöüÇĞİŞÖÜ]", names.sub("", value)), (key, value)
