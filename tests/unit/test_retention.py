"""The retention rules (domain/retention.py), with literal dates."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from chalicelib.domain import retention as R
from chalicelib.domain.calendar import ISTANBUL
from chalicelib.domain.case import Applicant, Case, HistoryEntry, Status


def test_a_case_file_is_kept_ten_years_from_its_closing_day():
    assert R.retention_end(date(2026, 3, 15)) == date(2036, 3, 15)
    assert R.retention_end(date(2028, 2, 29)) == date(2038, 2, 28)          # no 29 February that year
    assert R.retention_end(date(2026, 3, 15), 5) == date(2031, 3, 15)       # the deployment parameter
    assert R.retention_end(None) is None                                     # open: nothing runs
    assert not R.due(date(2026, 3, 15), date(2036, 3, 14))
    assert R.due(date(2026, 3, 15), date(2036, 3, 15))
    assert not R.due(date(2026, 3, 15), date(2040, 1, 1), held=True)
    assert not R.due(date(2026, 3, 15), date(2040, 1, 1), anonymised=True)


def test_the_policy_names_every_kind_of_record_with_a_ground():
    records = {r["record"] for r in R.policy()}
    assert {"case", "attachments", "idempotency", "notification_claim", "survey", "audit", "throttle_counter",
            "dlq_message", "destruction_log"} <= records
    assert all(r["ground"] and r["action"] for r in R.policy())
    assert R.rule("destruction_log")["years"] == 3 and R.rule("case")["years_parameter"] == "RETENTION_YEARS"


def test_the_closing_day_is_the_last_move_into_a_closed_status():
    t = lambda d: datetime(2026, 1, d, 9, tzinfo=timezone.utc)  # noqa: E731
    case = Case("AAAAAAAAAA", "h", "sikayet", "3071", "yol_kaldirim", "34-maltepe", "34", "Konu", "Açıklama",
                Applicant("10000000146", "Ayşe", "Yılmaz", "+905321234567", "Adres"), "web", t(1), date(2026, 1, 1),
                date(2026, 1, 31), status=Status.CONCLUDED,
                history=[HistoryEntry(t(1), Status.RECEIVED, ""), HistoryEntry(t(5), Status.CONCLUDED, ""),
                         HistoryEntry(t(8), Status.UNDER_EVALUATION, ""), HistoryEntry(t(12), Status.CONCLUDED, "")])
    assert case.closed_at == t(12)            # reopened on the 8th: the period runs from the second closing
    case.status = Status.UNDER_EVALUATION
    assert case.closed_at is None


def test_an_answer_with_a_national_id_or_a_mobile_number_is_caught():
    assert R.personal_data_in("Başvuru 10000000146 numaralı kişiye aittir.") == ["national_id"]
    assert R.personal_data_in("Bilgi için 0532 123 45 67 arayınız.") == ["phone"]
    assert R.personal_data_in("+90 532 123 4567") == ["phone"]
    assert R.personal_data_in("Karar 2026/12345678901 sayılı.") == []        # not a valid national id
    assert R.personal_data_in("Kaldırım 12 Ocak 2026 tarihinde onarıldı.") == []


def test_anonymising_keeps_the_record_and_drops_the_person():
    from chalicelib.domain.assignment import Answer, Assignment, AssignmentStatus, Institution
    t = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
    case = Case("AAAAAAAAAA", "hash", "sikayet", "3071", "yol_kaldirim", "34-maltepe", "34", "Ayşe'nin kaldırımı",
                "Açıklama uzun", Applicant("10000000146", "Ayşe", "Yılmaz", "+905321234567", "Adres"), "web", t,
                date(2026, 1, 5), date(2026, 2, 4), status=Status.CONCLUDED, outcome="positive",
                final_answer="Onarıldı.", location={"lat": 40.9, "lon": 29.1},
                place={"neighbourhood": "Cevizli Mahallesi", "street": "Ayşe'nin sokağı No 5"},
                history=[HistoryEntry(t, Status.RECEIVED, "Alındı"), HistoryEntry(t, Status.CONCLUDED, "x", False)],
                notes=[{"at": "x", "kind": "citizen_reply", "by": "citizen", "text_enc": "sealed"}],
                institutions=[{"id": "i", "name": "Maltepe Belediyesi"}])
    a = Assignment("AAAAAAAAAA", Institution("i", "belediye", "Maltepe Belediyesi", "b@x.example"),
                   AssignmentStatus.ANSWERED, t, date(2026, 1, 14), 1, subject="Ayşe'nin kaldırımı",
                   answers=[Answer(t, "Onarıldı", "positive", "Mehmet Demir", "Müdür",
                                   [{"id": "a1", "key": "uploads/AAAAAAAAAA/i/a1", "filename": "Ayşe.pdf"}])])
    log, keys = R.anonymise(case, [a], t)
    assert keys == ["uploads/AAAAAAAAAA/i/a1"]
    assert [(e.record, e.ref) for e in log] == [("case", "AAAAAAAAAA"), ("attachment", "a1")]
    assert case.applicant.national_id == "" and case.description == "" and case.location is None
    assert case.place is None
    assert case.subject == "Yol, kaldırım ve asfalt bozukluğu" and a.subject == case.subject
    assert case.access_code_hash == "" and "text_enc" not in case.notes[0] and case.anonymised_at == t
    assert a.answers[0].responder_name == "" and a.answers[0].text == "" and a.answers[0].attachments == []
    assert [h.note for h in case.history] == [None, None] and [h.status for h in case.history] == [
        Status.RECEIVED, Status.CONCLUDED]
    assert (case.outcome, case.final_answer, case.institutions[0]["name"]) == ("positive", None,
                                                                             "Maltepe Belediyesi")
    assert R.free_text(case, [a]) == []
    case.place = {"neighbourhood": "Cevizli Mahallesi"}
    assert R.free_text(case, [a]) == ["place"]       # the check that no person is left sees a place too


def test_a_ttl_period_is_read_from_the_policy_in_its_own_unit():
    assert R.kept_for("idempotency") == timedelta(hours=R.rule("idempotency")["hours"])
    assert R.kept_for("notification_claim") == timedelta(days=R.rule("notification_claim")["days"])
    assert R.kept_for("throttle_counter") == timedelta(minutes=R.rule("throttle_counter")["minutes"])
    assert R.destruction_log_years() == 3
    with pytest.raises(ValueError):
        R.kept_for("case")              # counted in years from the closing, not a TTL from creation


@pytest.mark.parametrize("at", [
    datetime(2026, 5, 10, 23, 30, tzinfo=timezone.utc),     # 02:30 on 11 May in İstanbul
    datetime(2026, 5, 10, 20, 59, tzinfo=timezone.utc),     # 23:59 on 10 May in İstanbul
    datetime(2028, 2, 29, 12, 0, tzinfo=timezone.utc),      # a leap day
])
def test_a_destruction_log_entry_is_kept_at_least_three_full_years(at):
    """Regulation on the Deletion, Destruction or Anonymisation of Personal Data art. 7/3:
    the record of a destruction is kept for at least three years. It expired at midnight
    UTC of the same date before, hours short of three years for a run after 21:00 UTC."""
    expiry = R.destruction_log_expiry(at)
    three_years = at.replace(year=at.year + 3, day=28) if (at.month, at.day) == (2, 29) else \
        at.replace(year=at.year + 3)
    assert expiry >= three_years
    assert expiry - three_years <= timedelta(days=2)            # and not much longer
    assert expiry.astimezone(ISTANBUL).hour == 0                # at an İstanbul midnight, a whole day kept


def _closed_on(day: date, **changes) -> Case:
    at = datetime(day.year, day.month, day.day, 10, tzinfo=ISTANBUL)
    case = Case("AAAAAAAAAA", "h", "sikayet", "3071", "yol_kaldirim", "34-maltepe", "34", "Konu", "Açıklama",
                Applicant("10000000146", "Ayşe", "Yılmaz", "+905321234567", "Adres"), "web", at - timedelta(days=3),
                day, day, status=Status.CONCLUDED,
                history=[HistoryEntry(at - timedelta(days=3), Status.RECEIVED, ""),
                         HistoryEntry(at, Status.CONCLUDED, "")])
    for k, v in changes.items():
        setattr(case, k, v)
    return case


class _Assignment:
    def __init__(self, is_open):
        self.is_open = is_open


def test_a_closed_case_is_archived_a_year_after_closing_and_never_before_its_destruction():
    case = _closed_on(date(2026, 3, 15))
    assert R.archive_from(date(2026, 3, 15)) == date(2027, 3, 15)
    assert R.archive_from(date(2028, 2, 29)) == date(2029, 2, 28)
    assert not R.archivable(case, [], date(2027, 3, 14))
    assert R.archivable(case, [], date(2027, 3, 15))
    assert R.archivable(case, [_Assignment(False)], date(2030, 1, 1))
    assert not R.archivable(case, [_Assignment(True)], date(2030, 1, 1))         # an institution still owes
    assert not R.archivable(case, [], date(2036, 3, 15))                         # due for destruction: that first
    assert not R.archivable(case, [], date(2027, 6, 1), years=1)                 # a one-year retention: never
    assert not R.archivable(_closed_on(date(2026, 3, 15), legal_hold={"reason": "dava"}), [], date(2030, 1, 1))
    assert not R.archivable(_closed_on(date(2026, 3, 15), anonymised_at=datetime(2027, 1, 1, tzinfo=timezone.utc)),
                            [], date(2030, 1, 1))
    assert not R.archivable(_closed_on(date(2026, 3, 15), status=Status.UNDER_EVALUATION), [], date(2030, 1, 1))


@pytest.mark.parametrize("closed", [date(2026, 3, 15), date(2028, 2, 29), date(2027, 2, 28), date(2026, 12, 31)])
@pytest.mark.parametrize("years", [2, 5, 10])
def test_the_horizon_holds_every_case_that_may_be_archived_and_none_closed_within_the_year(closed, years):
    """The archive run reads the destruction slots up to the horizon: a case whose archive
    day has come is inside it on that day, and a case closed 11 months ago is not."""
    archive_day = R.archive_from(closed)
    assert R.retention_end(closed, years) <= R.archive_horizon(archive_day, years)
    assert R.retention_end(closed, years) > R.archive_horizon(archive_day - timedelta(days=31), years)


def test_an_archived_object_round_trips_binary_values_and_refuses_what_it_did_not_write():
    import zlib

    from chalicelib.adapters.archive import ArchiveDamaged, decode, encode
    items = [{"pk": {"S": "CASE#AAAAAAAAAA"}, "log_z": {"B": zlib.compress(b"{}")}, "n": {"N": "5"},
              "m": {"M": {"b": {"B": b"\x00\xff"}, "l": {"L": [{"BS": [b"a", b"b"]}, {"S": "Çınar"}]}}}}]
    assert decode(encode(items)) == items
    with pytest.raises(ArchiveDamaged):
        decode(b"not compressed")
    with pytest.raises(ArchiveDamaged):
        decode(zlib.compress(b'{"format": 2, "items": []}'))
    with pytest.raises(ArchiveDamaged):                    # a bomb is not inflated past the bound
        decode(zlib.compress(b" " * (40 * 1024 * 1024)))
