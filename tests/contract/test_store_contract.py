"""One contract, two stores: the in-memory fake the unit tests use and the DynamoDB
store (on moto) must behave the same, or the unit tests prove nothing."""
from __future__ import annotations

import copy
from datetime import date, datetime, timedelta, timezone

import pytest

from chalicelib.domain.assignment import Assignment, AssignmentStatus, DistrictSettings, Institution
from chalicelib.domain.case import Applicant, Case, HistoryEntry, Status
from chalicelib.domain.records import AuditEntry, Counter, IdempotencyRecord, SurveyAnswer
from chalicelib.services.ports import (DuplicateApplicationNo, IdempotencyKeyTaken, InvalidCursor, QueueQuery,
                                       StaleCase)

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(params=["fake", "dynamodb"])
def store(request):
    if request.param == "fake":
        from tests.fakes import FakeStore
        yield FakeStore()
    else:
        request.getfixturevalue("aws")
        from chalicelib.bootstrap import ports
        yield ports().store


def new_case(no: str, *, due: date = date(2026, 2, 4), district="34-maltepe", status=Status.RECEIVED,
             received=T0, case_type="sikayet") -> Case:
    return Case(application_no=no, access_code_hash="h", type=case_type, law="3071", category="yol_kaldirim",
                district=district, province=district.split("-")[0], subject="Kaldırım", description="Açıklama metni",
                applicant=Applicant("10000000146", "Ayşe", "Yılmaz", "+905321234567", "Adres 1"),
                channel="web", received_at=received, receipt_date=received.date(), legal_due_date=due,
                status=status, history=[HistoryEntry(received, Status.RECEIVED, "alındı")], recorded_at=received)


def assignment(no: str, inst: str = "34-maltepe.belediye", sla=date(2026, 1, 14)) -> Assignment:
    return Assignment(no, Institution(inst, "belediye", "Maltepe Belediyesi", "b@example.org"),
                      AssignmentStatus.SENT, T0, sla, 1, subject="Kaldırım")


def test_a_submission_is_written_once_and_read_back_with_its_personal_data(store):
    case = new_case("AAAAAAAAAA")
    case.location = {"lat": 40.93, "lon": 29.13}
    store.add_submission(case, None)
    assert case.version == 1
    got = store.get("AAAAAAAAAA")
    assert got.applicant.national_id == "10000000146" and got.description == "Açıklama metni"
    assert got.location == {"lat": 40.93, "lon": 29.13}
    assert store.get_public_and_count("AAAAAAAAAA", Counter("track-ip", "x", 1))[0].location is None
    assert got.history[0].note == "alındı" and got.version == 1
    with pytest.raises(DuplicateApplicationNo):
        store.add_submission(new_case("AAAAAAAAAA"), None)
    assert store.get("BBBBBBBBBB") is None


def test_an_idempotency_key_is_taken_once(store):
    record = IdempotencyRecord("k" * 64, "req", 201, "sealed", T0 + timedelta(hours=24))
    store.add_submission(new_case("AAAAAAAAAA"), record)
    with pytest.raises(IdempotencyKeyTaken):
        store.add_submission(new_case("BBBBBBBBBB"), record)
    assert store.get("BBBBBBBBBB") is None       # all or nothing
    got = store.get_idempotency("k" * 64)
    assert (got.request_hash, got.status_code, got.response_sealed) == ("req", 201, "sealed")


def test_an_expired_idempotency_record_is_overwritten_even_before_ttl_deletes_it(store):
    """DynamoDB deletes an expired item by TTL up to days later (the local stack never does):
    a record past its expiry no longer holds its key."""
    store.add_submission(new_case("AAAAAAAAAA"), IdempotencyRecord("k" * 64, "old", 201, "sealed-1", T0))
    later = new_case("BBBBBBBBBB", received=T0 + timedelta(seconds=1))
    store.add_submission(later, IdempotencyRecord("k" * 64, "new", 201, "sealed-2", T0 + timedelta(hours=24)))
    assert store.get("BBBBBBBBBB") is not None
    assert store.get_idempotency("k" * 64).request_hash == "new"
    at_expiry = new_case("CCCCCCCCCC", received=T0 + timedelta(hours=24))       # still in force at its last second
    with pytest.raises(IdempotencyKeyTaken):
        store.add_submission(at_expiry, IdempotencyRecord("k" * 64, "new", 201, "x", T0 + timedelta(hours=48)))
    assert store.get("CCCCCCCCCC") is None


def test_tracking_reads_the_case_without_personal_data(store):
    store.add_submission(new_case("AAAAAAAAAA"), None)
    case, _ = store.get_public_and_count("AAAAAAAAAA", Counter("track-ip", "1.2.3.4", 7))
    assert case.application_no == "AAAAAAAAAA" and case.applicant.national_id == "" and case.description == ""
    assert case.access_code_hash


def test_a_commit_is_version_checked_and_all_or_nothing(store):
    case = new_case("AAAAAAAAAA")
    store.add_submission(case, None)
    a = assignment("AAAAAAAAAA")
    case.status = Status.FORWARDED
    store.commit_forward(case, [a])
    loaded, [got] = store.load_with_assignments("AAAAAAAAAA")
    assert loaded.status == Status.FORWARDED and loaded.version == 2 and got.version == 1
    stale = copy.deepcopy(loaded)
    loaded.status = Status.INSTITUTION_ANSWERED
    got.status = AssignmentStatus.ANSWERED
    store.commit(loaded, [got], audit=AuditEntry("AAAAAAAAAA", "x", "institution", "answer", T0))
    stale.status = Status.IN_REVIEW
    with pytest.raises(StaleCase):
        store.commit(stale, [], new_assignments=[assignment("AAAAAAAAAA", "34-maltepe.emniyet")])
    final, assignments = store.load_with_assignments("AAAAAAAAAA")
    assert final.status == Status.INSTITUTION_ANSWERED and final.version == 3
    assert [x.institution.id for x in assignments] == ["34-maltepe.belediye"]   # nothing half-written
    with pytest.raises(StaleCase):   # a new assignment must not exist yet
        store.commit(final, [], new_assignments=[assignment("AAAAAAAAAA")])


def test_save_assignment_reports_a_lost_race(store):
    case = new_case("AAAAAAAAAA")
    store.add_submission(case, None)
    store.commit_forward(case, [assignment("AAAAAAAAAA")])
    [first] = store.assignments("AAAAAAAAAA")
    second = copy.deepcopy(first)
    first.reminded_for = "1"
    assert store.save_assignment(first, "34-maltepe") is True
    second.reminded_for = "1"
    assert store.save_assignment(second, "34-maltepe") is False


def test_districts_are_versioned_and_registered(store):
    s = DistrictSettings("35-konak", True, "o@example.org", [Institution("i1", "belediye", "B", "b@e.org", 5)])
    store.save_district(s)
    assert s.version == 1
    store.register_district("35-konak")
    store.register_district("35-bornova")
    got = store.district("35-konak")
    assert got.institutions[0].sla_days == 5 and got.version == 1
    stale = copy.deepcopy(got)
    got.auto_forward = False
    store.save_district(got)
    with pytest.raises(StaleCase):
        store.save_district(stale)
    registered = store.registered_districts()
    assert registered == sorted(registered) and {"35-bornova", "35-konak"} <= set(registered)
    assert store.district("35-urla") is None


def _count(store, counter):
    return store.get_public_and_count("NONE000000", counter)[1]


def test_an_attempt_is_checked_and_counted_at_once_and_can_be_given_back(store):
    number, client = Counter("track-no", "AAAAAAAAAA", 7), Counter("track-ip", "1.2.3.4", 7)
    expires = T0 + timedelta(hours=1)
    assert [store.take_attempt(number, 2, expires) for _ in range(3)] == [True, True, False]
    assert _count(store, number) == 2                                    # the refused one counted nothing
    store.give_back_attempt(number)
    assert _count(store, number) == 1
    assert store.take_attempt(number, 2, expires) is True
    store.give_back_attempt(client)                                      # never below zero
    assert _count(store, client) == 0
    store.add_submission(new_case("AAAAAAAAAA"), None)
    store.increment_counter(client, expires)
    store.increment_counter(client, expires)
    case, count = store.get_public_and_count("AAAAAAAAAA", client)
    assert count == 2 and case.application_no == "AAAAAAAAAA" and case.applicant.national_id == ""
    assert store.get_public_and_count("BBBBBBBBBB", Counter("track-ip", "9.9.9.9", 7)) == (None, 0)


def test_a_member_is_counted_once_within_a_limit(store):
    day = Counter("receipt-sms", "phone-hmac", 20458)
    expires = T0 + timedelta(days=2)
    assert [store.claim_within_limit(day, f"A{i}", 2, expires) for i in range(3)] == [True, True, False]
    assert store.claim_within_limit(day, "A1", 2, expires) is True      # a redelivery of a counted one
    assert store.claim_within_limit(day, "A2", 2, expires) is False     # still over


def test_a_staff_record_is_created_once_and_changed_at_its_version(store):
    from chalicelib.domain.principal import StaffMember
    assert store.staff("masa.konak") is None
    m = StaffMember("masa.konak", "desk", "35-konak", "35")
    store.save_staff(m)
    assert m.version == 1
    with pytest.raises(StaleCase):                     # a second create
        store.save_staff(StaffMember("masa.konak", "admin"))
    got = store.staff("MASA.KONAK")                    # user names are case-insensitive
    assert (got.role, got.district, got.province, got.enabled, got.version) == ("desk", "35-konak", "35", True, 1)
    stale = copy.deepcopy(got)
    got.enabled = False
    store.save_staff(got)
    with pytest.raises(StaleCase):
        store.save_staff(stale)
    assert store.staff("masa.konak").enabled is False


def test_the_queue_is_sorted_by_legal_due_date_filtered_and_paged(store):
    for i, (due, ctype) in enumerate([(date(2026, 2, 6), "sikayet"), (date(2026, 2, 4), "talep"),
                                      (date(2026, 2, 5), "sikayet"), (date(2026, 2, 3), "sikayet")]):
        store.add_submission(new_case(f"AAAAAAAAA{i}", due=due, case_type=ctype), None)
    store.add_submission(new_case("BBBBBBBBBB", district="06-cankaya"), None)
    q = QueueQuery(district="34-maltepe", province=None, limit=2, today=date(2026, 1, 6))
    page, cursor = store.queue_page(q)
    assert [c.application_no for c in page] == ["AAAAAAAAA3", "AAAAAAAAA1"]
    assert page[0].applicant.national_id == ""
    rest, end = store.queue_page(QueueQuery(**{**q.__dict__, "cursor": cursor}))
    assert [c.application_no for c in rest] == ["AAAAAAAAA2", "AAAAAAAAA0"] and end in (None, end)
    only, _ = store.queue_page(QueueQuery(**{**q.__dict__, "limit": 10, "case_type": "talep"}))
    assert [c.application_no for c in only] == ["AAAAAAAAA1"]
    by_status, _ = store.queue_page(QueueQuery(**{**q.__dict__, "limit": 10, "status": "forwarded"}))
    assert by_status == []
    province, _ = store.queue_page(QueueQuery(district=None, province="34", limit=10, today=date(2026, 1, 6)))
    assert len(province) == 4
    with pytest.raises(InvalidCursor):
        store.queue_page(QueueQuery(**{**q.__dict__, "district": "06-cankaya", "cursor": cursor}))
    with pytest.raises(InvalidCursor):
        store.queue_page(QueueQuery(**{**q.__dict__, "cursor": "not-a-cursor"}))
    closed = store.get("AAAAAAAAA3")
    closed.status = Status.NOT_PROCESSED
    store.commit(closed, [])
    page, _ = store.queue_page(QueueQuery(**{**q.__dict__, "limit": 10}))
    assert [c.application_no for c in page] == ["AAAAAAAAA1", "AAAAAAAAA2", "AAAAAAAAA0"]   # open cases only
    by_status, _ = store.queue_page(QueueQuery(**{**q.__dict__, "limit": 10, "status": "not_processed"}))
    assert [c.application_no for c in by_status] == ["AAAAAAAAA3"]
    assert len(store.queue_page(QueueQuery(district=None, province="34", limit=10, today=date(2026, 1, 6)))[0]) == 3


def test_the_district_counters_move_in_the_same_write_as_the_case(store):
    for i in range(3):
        store.add_submission(new_case(f"AAAAAAAAA{i}"), None)
    store.add_submission(new_case("BBBBBBBBBB", district="06-cankaya"), None)
    case = store.get("AAAAAAAAA0")
    case.status = Status.FORWARDED
    store.commit_forward(case, [assignment("AAAAAAAAA0")])
    case.status, case.concluded_at = Status.CONCLUDED, datetime(2026, 1, 20, 9, tzinfo=timezone.utc)  # on time
    store.commit(case, [])
    late = store.get("AAAAAAAAA1")
    stale = copy.deepcopy(late)                                   # another clerk's copy, before the write
    late.status, late.concluded_at = Status.CONCLUDED, datetime(2026, 2, 10, 9, tzinfo=timezone.utc)  # after 4 Feb
    store.commit(late, [])
    stale.status = Status.IN_REVIEW
    with pytest.raises(StaleCase):
        store.commit(stale, [])                                    # a refused write moves no counter
    stats = store.district_stats("34-maltepe")
    assert stats.status == {"received": 1, "forwarded": 0, "concluded": 2}
    assert stats.intake == {"2026-01-05": 3}
    assert stats.concluded == {"2026-01-19": 1, "2026-02-09": 1} and stats.on_time == {"2026-01-19": 1}
    assert store.district_stats("06-cankaya").status == {"received": 1}
    assert store.district_stats("35-bornova").status == {}


def test_sweeps_read_only_what_is_due(store):
    case = new_case("AAAAAAAAAA")
    store.add_submission(case, None)
    assert [p.application_no for p in store.due_routes(T0 + timedelta(minutes=11))] == ["AAAAAAAAAA"]
    assert store.due_routes(T0 + timedelta(minutes=5)) == []
    store.postpone_route("AAAAAAAAAA", T0 + timedelta(hours=1))
    assert store.due_routes(T0 + timedelta(minutes=30)) == []
    case.status = Status.FORWARDED
    store.commit_forward(case, [assignment("AAAAAAAAAA", sla=date(2026, 1, 14))])
    assert store.due_routes(T0 + timedelta(days=1)) == []          # routed: out of the re-route slot
    store.postpone_route("AAAAAAAAAA", T0 + timedelta(hours=2))    # routed meanwhile: nothing to move
    assert store.due_routes(T0 + timedelta(days=1)) == []
    assert store.due_assignments(datetime(2026, 1, 8, 9, tzinfo=timezone.utc)) == []
    [(a, district)] = store.due_assignments(datetime(2026, 1, 13, 9, tzinfo=timezone.utc))
    assert a.application_no == "AAAAAAAAAA" and district == "34-maltepe"
    assert [c.application_no for c in store.open_cases("34-maltepe")] == ["AAAAAAAAAA"]
    assert store.open_cases("06-cankaya") == []
    [due] = store.due_cases(datetime(2026, 2, 1, 9, tzinfo=timezone.utc))   # 5 days before the legal date
    assert due.application_no == "AAAAAAAAAA" and due.applicant.national_id == "10000000146"


def test_a_survey_is_answered_once(store):
    answer = SurveyAnswer("AAAAAAAAAA", 5, None, "34-maltepe", "yol_kaldirim", "positive", "2026-01-05")
    assert store.survey_answered("AAAAAAAAAA") is False
    assert store.add_survey(answer) is True
    assert store.add_survey(answer) is False
    assert store.survey_answered("AAAAAAAAAA") is True


def test_the_lifecycle_fields_round_trip(store):
    """Issue 12's fields: kept final answers, remedies, the reopening day, a thanks without
    a legal date, a closed assignment and contact shared with one institution."""
    thanks = new_case("CCCCCCCCCC", due=None, case_type="tesekkur")
    store.add_submission(thanks, None)
    assert store.get("CCCCCCCCCC").legal_due_date is None
    case = new_case("AAAAAAAAAA")
    store.add_submission(case, None)
    a = assignment("AAAAAAAAAA")
    a.contact_shared = {"at": "2026-01-05T12:00:00+03:00", "by": "masa.maltepe", "reason": "Adres bulunamadı."}
    case.status = Status.FORWARDED
    store.commit(case, [], new_assignments=[a])
    case.status, case.reopened_on, case.legal_remedies = Status.UNDER_EVALUATION, date(2026, 2, 3), "Kurula itiraz."
    case.final_answers = [{"n": 1, "at": "2026-01-20T10:00:00+03:00", "by": "masa.maltepe", "outcome": "negative",
                           "answer": "İlk cevap.", "legal_remedies": None}]
    a.status = AssignmentStatus.CLOSED
    store.commit(case, [a])
    got, [ga] = store.load_with_assignments("AAAAAAAAAA")
    assert got.final_answers == case.final_answers and got.legal_remedies == "Kurula itiraz."
    assert got.reopened_on == date(2026, 2, 3)
    assert ga.status == AssignmentStatus.CLOSED and ga.contact_shared == a.contact_shared
    assert [x for x, _ in store.due_assignments(T0 + timedelta(days=60))] == []   # closed: out of the sweep


def test_case_states_give_each_cases_status_and_conclusion(store):
    concluded_at = T0 + timedelta(days=3)
    for no, status in (("AAAAAAAAAA", Status.CONCLUDED), ("BBBBBBBBBB", Status.FORWARDED),
                       ("CCCCCCCCCC", Status.NOT_PROCESSED)):
        case = new_case(no, status=status)
        case.concluded_at = concluded_at if status == Status.CONCLUDED else None
        store.add_submission(case, None)
    assert store.case_states({"AAAAAAAAAA", "BBBBBBBBBB", "CCCCCCCCCC", "DDDDDDDDDD"}) == {
        "AAAAAAAAAA": (Status.CONCLUDED, concluded_at), "BBBBBBBBBB": (Status.FORWARDED, None),
        "CCCCCCCCCC": (Status.NOT_PROCESSED, None)}


def test_applicant_rows_hold_what_each_case_was_filed_with_newest_first(store):
    older = new_case("AAAAAAAAAA")
    newer = new_case("BBBBBBBBBB", received=T0 + timedelta(hours=2))
    newer.subject, newer.text_sketch = "Sokak lambası", "abc"
    for c in (older, newer):
        store.add_submission(c, None)
    newer.status = Status.CONCLUDED
    store.save_case(newer)
    if hasattr(store, "keys_"):     # the fake: its applicant index is its keys' HMAC, as fake_ports() sets
        from tests.fakes import FakeKeys
        store.keys_ = FakeKeys()
    keys = store.keys_ if hasattr(store, "keys_") else store.keys
    rows = store.applicant_rows(keys.national_id_hash("10000000146"))
    assert [r.application_no for r in rows] == ["BBBBBBBBBB", "AAAAAAAAAA"]
    assert (rows[0].subject, rows[0].category, rows[0].district, rows[0].text_sketch, rows[0].received_at) == (
        "Sokak lambası", "yol_kaldirim", "34-maltepe", "abc", T0 + timedelta(hours=2))
    assert not hasattr(rows[0], "status")     # the statuses come from case_states()


def test_a_forward_may_send_an_earlier_assignment_again_version_checked(store):
    case = new_case("AAAAAAAAAA")
    store.add_submission(case, None)
    a = assignment("AAAAAAAAAA")
    case.status = Status.FORWARDED
    store.commit_forward(case, [a])
    a.status, a.forward_id, a.link_generation = AssignmentStatus.SENT, 2, 2
    stale = copy.deepcopy(a)
    store.commit_forward(case, [], changed=[a])
    assert store.assignments("AAAAAAAAAA")[0].link_generation == 2 and a.version == 2
    with pytest.raises(StaleCase):
        store.commit_forward(case, [], changed=[stale])


def test_a_case_stored_before_the_compact_log_is_still_read(aws):
    """Items written before history, notes and final answers moved into `log_z`."""
    from chalicelib.adapters.dynamo import HistoryMap
    from chalicelib.adapters.mapping import case_to_item
    from chalicelib.bootstrap import ports
    store = ports().store
    case = new_case("AAAAAAAAAA", status=Status.CONCLUDED)
    item = case_to_item(case, store.keys)
    item.log_z = None
    item.history = [HistoryMap(at=T0.isoformat(), status="received", note="alındı", public=True, actor="citizen",
                               event="received")]
    item.notes = [{"at": T0.isoformat(), "kind": "note", "text": "eski not"}]
    item.final_answer, item.outcome, item.concluded_at = "Eski cevap.", "positive", T0.isoformat()
    item.save()
    got = store.get("AAAAAAAAAA")
    assert [h.note for h in got.history] == ["alındı"] and got.notes[0]["text"] == "eski not"
    assert [a["answer"] for a in got.final_answers] == ["Eski cevap."]


def test_a_partner_key_is_checked_counted_and_limited_in_one_write(store):
    from chalicelib.domain.partners import Partner
    store.add_partner(Partner(id="p-1", name="Kent", contact="k@k.example", districts=["34-maltepe"], rate_limit=2,
                              created_at=T0, key_hash="h" * 64))
    assert store.use_partner_key("x" * 64, 100, T0) == ("unknown", None)
    outcomes = [store.use_partner_key("h" * 64, 100, T0)[0] for _ in range(3)]
    assert outcomes == ["ok", "ok", "limited"]
    outcome, partner = store.use_partner_key("h" * 64, 101, T0 + timedelta(minutes=1))   # a new minute
    assert outcome == "ok" and partner.uses == 3 and partner.name == "Kent" and partner.districts == ["34-maltepe"]
    [listed] = [p for p in store.partners() if p.id == "p-1"]
    assert listed.uses == 3 and listed.active
    assert store.revoke_partner("h" * 64, T0) is True and store.revoke_partner("h" * 64, T0) is False
    assert store.use_partner_key("h" * 64, 101, T0)[0] == "revoked"


def test_a_partners_cases_come_by_last_public_change_newest_first(store):
    older, newer, other = new_case("AAAAAAAAAA"), new_case("BBBBBBBBBB"), new_case("CCCCCCCCCC")
    for case, at in ((older, T0), (newer, T0 + timedelta(days=2)), (other, T0 + timedelta(days=3))):
        case.partner = {"id": "p-1" if case is not other else "p-2", "name": "Kent"}
        case.history = [HistoryEntry(at, Status.RECEIVED, "alındı")]
        case.received_at = at
        store.add_submission(case, None)
    assert store.partner_case_numbers("p-1", T0, 10) == ["BBBBBBBBBB", "AAAAAAAAAA"]
    assert store.partner_case_numbers("p-1", T0 + timedelta(days=1), 10) == ["BBBBBBBBBB"]
    assert store.partner_case_numbers("p-1", T0, 1) == ["BBBBBBBBBB"]
    got = {c.application_no: c for c in store.cases_public(["AAAAAAAAAA", "ZZZZZZZZZZ"])}
    assert set(got) == {"AAAAAAAAAA"} and got["AAAAAAAAAA"].applicant.national_id == ""
    assert got["AAAAAAAAAA"].partner["id"] == "p-1"
