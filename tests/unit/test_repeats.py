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
