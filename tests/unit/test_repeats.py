"""Repeat applications (domain/repeats.py): Turkish-aware normalisation and the match."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from chalicelib.domain import repeats as R
from chalicelib.domain.case import Applicant, Case, Status


def test_turkish_letters_and_casing_fold_so_that_ascii_typing_matches():
    assert R.normalise("İSTANBUL Işık ŞİKÂYET") == "istanbul isik sikayet"
    assert R.normalise("Kaldırım çökmüş!") == "kaldirim cokmus"
    assert R.similarity("Kaldırım çökmüş", "KALDIRIM COKMUS") == 100
    assert R.similarity("Kaldırım çökmüş, yayalar yolda", "kaldirim cokmus") >= R.THRESHOLD
    assert R.similarity("Kaldırım çökmüş", "Park aydınlatması yetersiz") < R.THRESHOLD


def _case(no, subject, *, days_ago, category="yol_kaldirim", district="34-maltepe"):
    at = datetime(2026, 3, 1, 9, tzinfo=timezone.utc) - timedelta(days=days_ago)
    return Case(no, "h", "sikayet", "3071", category, district, "34", subject, "Açıklama",
                Applicant("10000000146", "Ayşe", "Yılmaz", "+905321234567", "Adres"), "web", at, at.date(),
                date(2026, 4, 1), status=Status.CONCLUDED)


def test_the_most_alike_earlier_application_of_the_same_district_and_category_is_named():
    new = _case("NEW0000000", "Kaldırım çökmüş Bağdat Caddesi", days_ago=0)
    earlier = [_case("AAAAAAAAAA", "Kaldirim cokmus Bagdat Caddesi", days_ago=20),
               _case("BBBBBBBBBB", "Kaldırım çökmüş", days_ago=40),
               _case("CCCCCCCCCC", "Kaldırım çökmüş Bağdat Caddesi", days_ago=5, category="park_bahce"),
               _case("DDDDDDDDDD", "Kaldırım çökmüş Bağdat Caddesi", days_ago=5, district="06-cankaya"),
               _case("EEEEEEEEEE", "Kaldırım çökmüş Bağdat Caddesi", days_ago=-1)]       # later: not earlier
    other, score = R.find_repeat(new, earlier)
    assert other.application_no == "AAAAAAAAAA" and score == 100
    assert R.find_repeat(new, [_case("FFFFFFFFFF", "Çöp konteyneri dolu", days_ago=3)]) is None


def _digest(shingle):
    import hashlib
    return hashlib.blake2b(shingle.encode(), key=b"test-key", digest_size=3).hexdigest()


STORY = "Bağdat Caddesi üzerinde kaldırım çöktü, yayalar yola inmek zorunda kalıyor; yaşlılar düşüyor."


def test_a_description_sketch_holds_digests_only_and_resembles_a_retyped_copy():
    sketch = R.sketch(STORY, _digest)
    assert len(sketch.split()) == 12 - 1 and "kaldirim" not in sketch       # one digest per word pair and "Bağdat" not in sketch
    retyped = R.sketch(STORY.upper().replace("Ğ", "G"), _digest)
    assert R.resemblance(sketch, retyped) == 1.0
    other = R.sketch("Parktaki aydınlatma direkleri geceleri yanmıyor, çocuklar karanlıkta kalıyor.", _digest)
    assert R.resemblance(sketch, other) < R.ALIKE
    assert R.sketch("", _digest) is None and R.resemblance(None, sketch) is None


def test_the_description_decides_with_the_subject():
    new = _case("NEW0000000", "Kaldırım çökmüş", days_ago=0)
    new.text_sketch = R.sketch(STORY, _digest)
    same_story = _case("AAAAAAAAAA", "Kaldırım çökmüş", days_ago=10)
    same_story.text_sketch = R.sketch(STORY + " Lütfen ilgilenin.", _digest)
    other_story = _case("BBBBBBBBBB", "Kaldırım çökmüş", days_ago=5)
    other_story.text_sketch = R.sketch("Okul önündeki kaldırım taşları söküldü, velilerin arabaları park ediyor, "
                                       "çocuklar yürüyemiyor ve servisler bekliyor.", _digest)
    other, _ = R.find_repeat(new, [same_story, other_story])
    assert other.application_no == "AAAAAAAAAA"
    assert R.find_repeat(new, [other_story]) is None          # the same subject, another matter
    loose = _case("CCCCCCCCCC", "Bağdat Caddesi kaldırım sorunu", days_ago=3)   # another wording, the same story
    loose.text_sketch = R.sketch(STORY, _digest)
    assert 50 <= R.similarity(new.subject, loose.subject) < R.THRESHOLD
    assert R.find_repeat(new, [loose])[0].application_no == "CCCCCCCCCC"
    loose.text_sketch = other_story.text_sketch
    assert R.find_repeat(new, [loose]) is None
    unsketched = _case("DDDDDDDDDD", "Kaldırım çökmüş", days_ago=8)            # older than sketches
    assert R.find_repeat(new, [unsketched])[0].application_no == "DDDDDDDDDD"


def test_sketches_grow_to_their_bound():
    long = " ".join(f"kelime{i}" for i in range(60))
    assert len(R.sketch(long, _digest).split()) == R.SKETCH_SIZE
