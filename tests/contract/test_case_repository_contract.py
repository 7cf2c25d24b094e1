"""The `CaseRepository` port: its fake and its DynamoDB adapter behave the same."""
from __future__ import annotations

import copy
from datetime import date, datetime, timedelta, timezone

import pytest

from chalicelib.domain.assignment import AssignmentStatus
from chalicelib.domain.audit import AuditEntry
from chalicelib.domain.case import HistoryEntry, Status
from chalicelib.domain.idempotency import IdempotencyRecord
from chalicelib.services.ports import DuplicateApplicationNo, IdempotencyKeyTaken, InvalidCursor, QueueQuery, StaleCase
from tests.contract.conftest import T0, assignment, new_case


def test_a_submission_is_written_once_and_read_back_with_its_personal_data(p):
    case = new_case("AAAAAAAAAA")
    case.location = {"lat": 40.93, "lon": 29.13}
    p.cases.add_submission(case, None)
    assert case.version == 1
    got = p.cases.get("AAAAAAAAAA")
    assert got.applicant.national_id == "10000000146" and got.description == "Açıklama metni"
    assert got.location == {"lat": 40.93, "lon": 29.13}
    assert p.cases.get_public("AAAAAAAAAA").location is None
    assert got.history[0].note == "alındı" and got.version == 1
    with pytest.raises(DuplicateApplicationNo):
        p.cases.add_submission(new_case("AAAAAAAAAA"), None)
    assert p.cases.get("BBBBBBBBBB") is None


def test_an_idempotency_key_is_taken_once(p):
    record = IdempotencyRecord("k" * 64, "req", 201, "sealed", T0 + timedelta(hours=24))
    p.cases.add_submission(new_case("AAAAAAAAAA"), record)
    with pytest.raises(IdempotencyKeyTaken):
        p.cases.add_submission(new_case("BBBBBBBBBB"), record)
    assert p.cases.get("BBBBBBBBBB") is None       # all or nothing
    got = p.cases.get_idempotency("k" * 64)
    assert (got.request_hash, got.status_code, got.response_sealed) == ("req", 201, "sealed")


def test_an_expired_idempotency_record_is_overwritten_even_before_ttl_deletes_it(p):
    """DynamoDB deletes an expired item by TTL up to days later (the local stack never does):
    a record past its expiry no longer holds its key."""
    p.cases.add_submission(new_case("AAAAAAAAAA"), IdempotencyRecord("k" * 64, "old", 201, "sealed-1", T0))
    later = new_case("BBBBBBBBBB", received=T0 + timedelta(seconds=1))
    p.cases.add_submission(later, IdempotencyRecord("k" * 64, "new", 201, "sealed-2", T0 + timedelta(hours=24)))
    assert p.cases.get("BBBBBBBBBB") is not None
    assert p.cases.get_idempotency("k" * 64).request_hash == "new"
    at_expiry = new_case("CCCCCCCCCC", received=T0 + timedelta(hours=24))       # still in force at its last second
    with pytest.raises(IdempotencyKeyTaken):
        p.cases.add_submission(at_expiry, IdempotencyRecord("k" * 64, "new", 201, "x", T0 + timedelta(hours=48)))
    assert p.cases.get("CCCCCCCCCC") is None


def test_tracking_reads_the_case_without_personal_data(p):
    p.cases.add_submission(new_case("AAAAAAAAAA"), None)
    case = p.cases.get_public("AAAAAAAAAA")
    assert case.application_no == "AAAAAAAAAA" and case.applicant.national_id == "" and case.description == ""
    assert case.access_code_hash and p.cases.get_public("BBBBBBBBBB") is None


def test_a_commit_is_version_checked_and_all_or_nothing(p):
    case = new_case("AAAAAAAAAA")
    p.cases.add_submission(case, None)
    a = assignment("AAAAAAAAAA")
    case.status = Status.FORWARDED
    p.cases.commit_forward(case, [a])
    loaded, [got] = p.cases.load_with_assignments("AAAAAAAAAA")
    assert loaded.status == Status.FORWARDED and loaded.version == 2 and got.version == 1
    stale = copy.deepcopy(loaded)
    loaded.status = Status.INSTITUTION_ANSWERED
    got.status = AssignmentStatus.ANSWERED
    p.cases.commit(loaded, [got], audit=AuditEntry("AAAAAAAAAA", "x", "institution", "answer", T0))
    stale.status = Status.IN_REVIEW
    with pytest.raises(StaleCase):
        p.cases.commit(stale, [], new_assignments=[assignment("AAAAAAAAAA", "34-maltepe.emniyet")])
    final, assignments = p.cases.load_with_assignments("AAAAAAAAAA")
    assert final.status == Status.INSTITUTION_ANSWERED and final.version == 3
    assert [x.institution.id for x in assignments] == ["34-maltepe.belediye"]   # nothing half-written
    with pytest.raises(StaleCase):   # a new assignment must not exist yet
        p.cases.commit(final, [], new_assignments=[assignment("AAAAAAAAAA")])


def test_save_assignment_reports_a_lost_race(p):
    case = new_case("AAAAAAAAAA")
    p.cases.add_submission(case, None)
    p.cases.commit_forward(case, [assignment("AAAAAAAAAA")])
    [first] = p.cases.assignments("AAAAAAAAAA")
    second = copy.deepcopy(first)
    first.reminded_for = "1"
    assert p.cases.save_assignment(first, "34-maltepe") is True
    second.reminded_for = "1"
    assert p.cases.save_assignment(second, "34-maltepe") is False


def test_the_queue_is_sorted_by_legal_due_date_filtered_and_paged(p):
    for i, (due, ctype) in enumerate([(date(2026, 2, 6), "sikayet"), (date(2026, 2, 4), "talep"),
                                      (date(2026, 2, 5), "sikayet"), (date(2026, 2, 3), "sikayet")]):
        p.cases.add_submission(new_case(f"AAAAAAAAA{i}", due=due, case_type=ctype), None)
    p.cases.add_submission(new_case("BBBBBBBBBB", district="06-cankaya"), None)
    q = QueueQuery(district="34-maltepe", province=None, limit=2, today=date(2026, 1, 6))
    page, cursor = p.cases.queue_page(q)
    assert [c.application_no for c in page] == ["AAAAAAAAA3", "AAAAAAAAA1"]
    assert page[0].applicant.national_id == ""
    rest, end = p.cases.queue_page(QueueQuery(**{**q.__dict__, "cursor": cursor}))
    assert [c.application_no for c in rest] == ["AAAAAAAAA2", "AAAAAAAAA0"] and end in (None, end)
    only, _ = p.cases.queue_page(QueueQuery(**{**q.__dict__, "limit": 10, "case_type": "talep"}))
    assert [c.application_no for c in only] == ["AAAAAAAAA1"]
    by_status, _ = p.cases.queue_page(QueueQuery(**{**q.__dict__, "limit": 10, "status": "forwarded"}))
    assert by_status == []
    province, _ = p.cases.queue_page(QueueQuery(district=None, province="34", limit=10, today=date(2026, 1, 6)))
    assert len(province) == 4
    with pytest.raises(InvalidCursor):
        p.cases.queue_page(QueueQuery(**{**q.__dict__, "district": "06-cankaya", "cursor": cursor}))
    with pytest.raises(InvalidCursor):
        p.cases.queue_page(QueueQuery(**{**q.__dict__, "cursor": "not-a-cursor"}))
    closed = p.cases.get("AAAAAAAAA3")
    closed.status = Status.NOT_PROCESSED
    p.cases.commit(closed, [])
    page, _ = p.cases.queue_page(QueueQuery(**{**q.__dict__, "limit": 10}))
    assert [c.application_no for c in page] == ["AAAAAAAAA1", "AAAAAAAAA2", "AAAAAAAAA0"]   # open cases only
    by_status, _ = p.cases.queue_page(QueueQuery(**{**q.__dict__, "limit": 10, "status": "not_processed"}))
    assert [c.application_no for c in by_status] == ["AAAAAAAAA3"]
    assert len(p.cases.queue_page(QueueQuery(district=None, province="34", limit=10, today=date(2026, 1, 6)))[0]) == 3


def test_sweeps_read_only_what_is_due(p):
    case = new_case("AAAAAAAAAA")
    p.cases.add_submission(case, None)
    assert [p.application_no for p in p.cases.due_routes(T0 + timedelta(minutes=11))] == ["AAAAAAAAAA"]
    assert p.cases.due_routes(T0 + timedelta(minutes=5)) == []
    p.cases.postpone_route("AAAAAAAAAA", T0 + timedelta(hours=1))
    assert p.cases.due_routes(T0 + timedelta(minutes=30)) == []
    case.status = Status.FORWARDED
    p.cases.commit_forward(case, [assignment("AAAAAAAAAA", sla=date(2026, 1, 14))])
    assert p.cases.due_routes(T0 + timedelta(days=1)) == []          # routed: out of the re-route slot
    p.cases.postpone_route("AAAAAAAAAA", T0 + timedelta(hours=2))    # routed meanwhile: nothing to move
    assert p.cases.due_routes(T0 + timedelta(days=1)) == []
    assert p.cases.due_assignments(datetime(2026, 1, 8, 9, tzinfo=timezone.utc)) == []
    [(a, district)] = p.cases.due_assignments(datetime(2026, 1, 13, 9, tzinfo=timezone.utc))
    assert a.application_no == "AAAAAAAAAA" and district == "34-maltepe"
    since = datetime(2026, 1, 5, tzinfo=timezone.utc)
    windows = [(date(2026, 2, 4), date(2026, 2, 5))]
    assert [c.application_no for c in p.cases.digest_cases("34-maltepe", date(2026, 1, 6), windows, since)] == [
        "AAAAAAAAAA"]
    assert p.cases.digest_cases("06-cankaya", date(2026, 1, 6), windows, since) == []
    [due] = p.cases.due_cases(datetime(2026, 2, 1, 9, tzinfo=timezone.utc))   # 5 days before the legal date
    assert due.application_no == "AAAAAAAAAA" and due.applicant.national_id == "10000000146"


def test_the_lifecycle_fields_round_trip(p):
    """Issue 12's fields: kept final answers, remedies, the reopening day, a thanks without
    a legal date, a closed assignment and contact shared with one institution."""
    thanks = new_case("CCCCCCCCCC", due=None, case_type="tesekkur")
    p.cases.add_submission(thanks, None)
    assert p.cases.get("CCCCCCCCCC").legal_due_date is None
    case = new_case("AAAAAAAAAA")
    p.cases.add_submission(case, None)
    a = assignment("AAAAAAAAAA")
    a.contact_shared = {"at": "2026-01-05T12:00:00+03:00", "by": "masa.maltepe", "reason": "Adres bulunamadı."}
    case.status = Status.FORWARDED
    p.cases.commit(case, [], new_assignments=[a])
    case.status, case.reopened_on, case.legal_remedies = Status.UNDER_EVALUATION, date(2026, 2, 3), "Kurula itiraz."
    case.final_answers = [{"n": 1, "at": "2026-01-20T10:00:00+03:00", "by": "masa.maltepe", "outcome": "negative",
                           "answer": "İlk cevap.", "legal_remedies": None}]
    a.status = AssignmentStatus.CLOSED
    p.cases.commit(case, [a])
    got, [ga] = p.cases.load_with_assignments("AAAAAAAAAA")
    assert got.final_answers == case.final_answers and got.legal_remedies == "Kurula itiraz."
    assert got.reopened_on == date(2026, 2, 3)
    assert ga.status == AssignmentStatus.CLOSED and ga.contact_shared == a.contact_shared
    assert [x for x, _ in p.cases.due_assignments(T0 + timedelta(days=60))] == []   # closed: out of the sweep


def test_case_states_give_each_cases_status_and_conclusion(p):
    concluded_at = T0 + timedelta(days=3)
    for no, status in (("AAAAAAAAAA", Status.CONCLUDED), ("BBBBBBBBBB", Status.FORWARDED),
                       ("CCCCCCCCCC", Status.NOT_PROCESSED)):
        case = new_case(no, status=status)
        case.concluded_at = concluded_at if status == Status.CONCLUDED else None
        p.cases.add_submission(case, None)
    assert p.cases.case_states({"AAAAAAAAAA", "BBBBBBBBBB", "CCCCCCCCCC", "DDDDDDDDDD"}) == {
        "AAAAAAAAAA": (Status.CONCLUDED, concluded_at), "BBBBBBBBBB": (Status.FORWARDED, None),
        "CCCCCCCCCC": (Status.NOT_PROCESSED, None)}


def test_applicant_rows_hold_what_each_case_was_filed_with_newest_first(p):
    older = new_case("AAAAAAAAAA")
    newer = new_case("BBBBBBBBBB", received=T0 + timedelta(hours=2))
    newer.subject, newer.text_sketch = "Sokak lambası", "abc"
    for c in (older, newer):
        p.cases.add_submission(c, None)
    newer.status = Status.CONCLUDED
    p.cases.save_case(newer)
    rows = p.cases.applicant_rows(p.keys.national_id_hash("10000000146"))
    assert [r.application_no for r in rows] == ["BBBBBBBBBB", "AAAAAAAAAA"]
    assert (rows[0].subject, rows[0].category, rows[0].district, rows[0].text_sketch, rows[0].received_at) == (
        "Sokak lambası", "yol_kaldirim", "34-maltepe", "abc", T0 + timedelta(hours=2))
    assert not hasattr(rows[0], "status")     # the statuses come from case_states()


def test_a_forward_may_send_an_earlier_assignment_again_version_checked(p):
    case = new_case("AAAAAAAAAA")
    p.cases.add_submission(case, None)
    a = assignment("AAAAAAAAAA")
    case.status = Status.FORWARDED
    p.cases.commit_forward(case, [a])
    a.status, a.forward_id, a.link_generation = AssignmentStatus.SENT, 2, 2
    stale = copy.deepcopy(a)
    p.cases.commit_forward(case, [], changed=[a])
    assert p.cases.assignments("AAAAAAAAAA")[0].link_generation == 2 and a.version == 2
    with pytest.raises(StaleCase):
        p.cases.commit_forward(case, [], changed=[stale])


def test_a_case_stored_before_the_compact_log_is_still_read(aws):
    """Items written before history, notes and final answers moved into `log_z`."""
    from chalicelib.adapters.dynamodb.mapping import case_to_item
    from chalicelib.adapters.dynamodb.models import HistoryMap
    from chalicelib.bootstrap import ports
    store = ports().cases
    case = new_case("AAAAAAAAAA", status=Status.CONCLUDED)
    item = case_to_item(case, ports().keys)
    item.log_z = None
    item.history = [HistoryMap(at=T0.isoformat(), status="received", note="alındı", public=True, actor="citizen",
                               event="received")]
    item.notes = [{"at": T0.isoformat(), "kind": "note", "text": "eski not"}]
    item.final_answer, item.outcome, item.concluded_at = "Eski cevap.", "positive", T0.isoformat()
    item.save()
    got = store.get("AAAAAAAAAA")
    assert [h.note for h in got.history] == ["alındı"] and got.notes[0]["text"] == "eski not"
    assert [a["answer"] for a in got.final_answers] == ["Eski cevap."]


def test_a_partners_cases_come_by_last_public_change_newest_first(p):
    older, newer, other = new_case("AAAAAAAAAA"), new_case("BBBBBBBBBB"), new_case("CCCCCCCCCC")
    for case, at in ((older, T0), (newer, T0 + timedelta(days=2)), (other, T0 + timedelta(days=3))):
        case.partner = {"id": "p-1" if case is not other else "p-2", "name": "Kent"}
        case.history = [HistoryEntry(at, Status.RECEIVED, "alındı")]
        case.received_at = at
        p.cases.add_submission(case, None)
    assert p.cases.partner_case_numbers("p-1", T0, 10) == ["BBBBBBBBBB", "AAAAAAAAAA"]
    assert p.cases.partner_case_numbers("p-1", T0 + timedelta(days=1), 10) == ["BBBBBBBBBB"]
    assert p.cases.partner_case_numbers("p-1", T0, 1) == ["BBBBBBBBBB"]
    got = {c.application_no: c for c in p.cases.cases_public(["AAAAAAAAAA", "ZZZZZZZZZZ"])}
    assert set(got) == {"AAAAAAAAAA"} and got["AAAAAAAAAA"].applicant.national_id == ""
    assert got["AAAAAAAAAA"].partner["id"] == "p-1"


def test_the_repository_answers_ready_and_a_case_with_its_place_province_and_office_for_routing(p):
    from chalicelib.domain.assignment import DistrictSettings, Institution
    p.cases.ready()
    p.cases.add_submission(new_case("AAAAAAAAAA"), None)
    p.reference.save_district(DistrictSettings("34-il", [Institution("34-il.cevre", "cevre", "İl Çevre", "c@x.org")]))
    case, place, province, office = p.cases.load_for_routing("AAAAAAAAAA", "34-maltepe", "34-maltepe")
    assert case.applicant.national_id == "10000000146" and place.district == "34-maltepe"
    assert place.by_kind("belediye") and province.by_kind("cevre") and office.onboarded and office.email
    case, place, province, office = p.cases.load_for_routing("BBBBBBBBBB", "35-urla", "35-urla")
    assert (case, place, province, office) == (None, None, None, None)


def test_try_save_case_says_whether_the_version_held(p):
    p.cases.add_submission(new_case("AAAAAAAAAA"), None)
    first, second = p.cases.get("AAAAAAAAAA"), p.cases.get("AAAAAAAAAA")
    first.legal_warned_for = "2026-02-04"
    assert p.cases.try_save_case(first) is True and first.version == 2
    second.extension_warned = True
    assert p.cases.try_save_case(second) is False
    assert p.cases.get("AAAAAAAAAA").extension_warned is False


def test_a_persons_cases_are_found_by_their_national_id_and_paged_newest_first(p):
    for i in range(3):
        p.cases.add_submission(new_case(f"AAAAAAAAA{i}", received=T0 + timedelta(hours=i)), None)
    other = new_case("BBBBBBBBBB")
    other.applicant.national_id = "12345678950"
    p.cases.add_submission(other, None)
    assert sorted(c.application_no for c in p.cases.cases_of_applicant("10000000146")) == [
        "AAAAAAAAA0", "AAAAAAAAA1", "AAAAAAAAA2"]
    assert p.cases.cases_of_applicant("99999999990") == []
    nid = p.keys.national_id_hash("10000000146")
    page, cursor = p.cases.applicant_page(nid, 2, None)
    assert [c.application_no for c in page] == ["AAAAAAAAA2", "AAAAAAAAA1"] and cursor
    assert page[0].applicant.phone == "+905321234567"            # with the personal data, to match the phone
    rest, end = p.cases.applicant_page(nid, 2, cursor)
    assert [c.application_no for c in rest] == ["AAAAAAAAA0"] and end is None
    assert p.cases.applicant_names(["AAAAAAAAA0", "BBBBBBBBBB", "ZZZZZZZZZZ"]) == {
        "AAAAAAAAA0": "Ayşe Yılmaz", "BBBBBBBBBB": "Ayşe Yılmaz"}


def test_open_cases_near_are_those_of_the_district_category_cells_and_period(p):
    near = new_case("AAAAAAAAAA", received=T0 + timedelta(days=1))
    near.location, near.geocell = {"lat": 40.93, "lon": 29.13}, "cell-1"
    far = new_case("BBBBBBBBBB", received=T0 + timedelta(days=1))
    far.location, far.geocell = {"lat": 40.99, "lon": 29.20}, "cell-9"
    old = new_case("CCCCCCCCCC", received=T0 - timedelta(days=40))
    old.location, old.geocell = {"lat": 40.93, "lon": 29.13}, "cell-1"
    closed = new_case("DDDDDDDDDD", received=T0 + timedelta(days=1), status=Status.NOT_PROCESSED)
    closed.location, closed.geocell = {"lat": 40.93, "lon": 29.13}, "cell-1"
    for c in (near, far, old, closed):
        p.cases.add_submission(c, None)
    found = p.cases.open_cases_near("34-maltepe", "yol_kaldirim", ["cell-1", "cell-2"], T0)
    assert [c.application_no for c in found] == ["AAAAAAAAAA"] and found[0].location == {"lat": 40.93, "lon": 29.13}
    assert p.cases.open_cases_near("34-maltepe", "cop_toplama", ["cell-1"], T0) == []


def test_destruction_is_committed_once_logged_and_the_case_leaves_the_retention_sweep(p):
    from chalicelib.config import settings
    from chalicelib.domain import retention as R
    case = new_case("AAAAAAAAAA", status=Status.CONCLUDED)
    case.concluded_at = T0
    case.history.append(HistoryEntry(T0, Status.CONCLUDED, "sonuçlandı"))
    p.cases.add_submission(case, None)
    end = R.retention_end(T0.date(), settings().retention_years)
    after = datetime(end.year, end.month, end.day, 12, tzinfo=timezone.utc)
    assert p.cases.due_retention(after - timedelta(days=2)) == []
    assert p.cases.due_retention(after) == ["AAAAAAAAAA"]
    gone, assignments = p.cases.load_with_assignments("AAAAAAAAAA", with_personal_data=False)
    twin = copy.deepcopy(gone)
    entries, _ = R.anonymise(gone, assignments, after)
    p.cases.commit_destruction(gone, assignments, entries, run_id="run-1", at=after)
    entries_again, _ = R.anonymise(twin, [], after)
    with pytest.raises(StaleCase):                                   # a second run at once destroys nothing twice
        p.cases.commit_destruction(twin, [], entries_again, run_id="run-2", at=after)
    assert p.cases.get("AAAAAAAAAA").anonymised_at == after
    assert p.cases.due_retention(after + timedelta(days=1)) == []
    rows, cursor = p.cases.destruction_log("34-maltepe")
    assert {r["run_id"] for r in rows} == {"run-1"} and {r["application_no"] for r in rows} == {"AAAAAAAAAA"}
    assert [r["record"] for r in rows if r["record"] == "case"] == ["case"] and cursor is None
    assert p.cases.destruction_log("06-cankaya") == ([], None)


def test_a_national_id_and_phone_pair_is_known_while_an_application_holds_it(p):
    """The pair a phone code is looked up by (issue 39: one keyed read, not the person's
    history): added with the submission, moved by a corrected phone, gone with the last
    application's personal data."""
    from chalicelib.config import settings
    from chalicelib.domain import retention as R
    from chalicelib.domain.otp import pair_fingerprint
    pair = lambda nid, phone: pair_fingerprint(p.keys, nid, phone)   # noqa: E731
    assert p.cases.pair_known(pair("10000000146", "+905321234567")) is False
    first, second = new_case("AAAAAAAAAA", status=Status.CONCLUDED), new_case("BBBBBBBBBB")
    first.concluded_at = T0
    first.history.append(HistoryEntry(T0, Status.CONCLUDED, "sonuçlandı"))
    p.cases.add_submission(first, None)
    p.cases.add_submission(second, None)
    assert p.cases.pair_known(pair("10000000146", "+905321234567")) is True
    assert p.cases.pair_known(pair("10000000146", "+905329998877")) is False
    case = p.cases.get("BBBBBBBBBB")                          # a KVKK correction of the phone
    case.applicant.phone = "+905329998877"
    p.cases.commit(case, [])
    assert p.cases.pair_known(pair("10000000146", "+905329998877")) is True
    assert p.cases.pair_known(pair("10000000146", "+905321234567")) is True      # the first still holds it
    end = R.retention_end(T0.date(), settings().retention_years)
    after = datetime(end.year, end.month, end.day, 12, tzinfo=timezone.utc)
    gone, assignments = p.cases.load_with_assignments("AAAAAAAAAA", with_personal_data=False)
    entries, _ = R.anonymise(gone, assignments, after)
    p.cases.commit_destruction(gone, assignments, entries, run_id="run-1", at=after)
    assert p.cases.pair_known(pair("10000000146", "+905321234567")) is False
    assert p.cases.pair_known(pair("10000000146", "+905329998877")) is True


def test_an_institutions_inbox_lists_its_open_assignments_soonest_due_first(p):
    """Issue 38: what an institution still owes, from the open-assignments index; an
    answered assignment leaves it; `limit` bounds the read and says that there is more."""
    for no, due in (("AAAAAAAAAA", date(2026, 1, 20)), ("BBBBBBBBBB", date(2026, 1, 14)),
                    ("CCCCCCCCCC", date(2026, 1, 16))):
        case = new_case(no)
        p.cases.add_submission(case, None)
        case.status = Status.FORWARDED
        p.cases.commit_forward(case, [assignment(no, sla=due), assignment(no, "34-maltepe.emniyet", sla=due)])
    found, more = p.cases.open_for_institution("34-maltepe.belediye")
    assert [a.application_no for a in found] == ["BBBBBBBBBB", "CCCCCCCCCC", "AAAAAAAAAA"] and more is False
    assert all(a.institution.id == "34-maltepe.belediye" and a.subject == "Kaldırım" for a in found)
    loaded, assignments = p.cases.load_with_assignments("CCCCCCCCCC")
    mine = next(a for a in assignments if a.institution.id == "34-maltepe.belediye")
    mine.status = AssignmentStatus.ANSWERED
    loaded.status = Status.FORWARDED
    p.cases.commit(loaded, [mine])
    found, more = p.cases.open_for_institution("34-maltepe.belediye", limit=1)
    assert [a.application_no for a in found] == ["BBBBBBBBBB"] and more is True
    assert p.cases.open_for_institution("34-maltepe.saglik") == ([], False)


def test_a_filtered_queue_page_reads_a_bounded_number_of_items_and_goes_on_by_cursor(p, monkeypatch):
    """Issue 39: a filter that matches little reads no more than the bound per page (here
    made 4), answering a partial page with a cursor; following the cursors finds every
    match once, in order."""
    import chalicelib.adapters.dynamodb.cases as dynamo_cases
    import tests.fakes.cases as fake_cases
    monkeypatch.setattr(dynamo_cases, "QUEUE_EVALUATED_PER_PAGE", 4)
    monkeypatch.setattr(fake_cases, "QUEUE_EVALUATED_PER_PAGE", 4)
    for i in range(10):
        p.cases.add_submission(new_case(f"AAAAAAAA{i:02d}", due=date(2026, 2, 1) + timedelta(days=i),
                                        case_type="talep" if i in (5, 9) else "sikayet"), None)
    q = QueueQuery(district="34-maltepe", province=None, limit=5, today=date(2026, 1, 6), case_type="talep")
    seen, pages, cursor = [], 0, None
    while True:
        page, cursor = p.cases.queue_page(QueueQuery(**{**q.__dict__, "cursor": cursor}))
        pages += 1
        seen += [c.application_no for c in page]
        assert len(page) < 5                      # never a full page: each stops at the bound
        if cursor is None:
            break
    assert seen == ["AAAAAAAA05", "AAAAAAAA09"] and pages == 3
    first, cursor = p.cases.queue_page(q)
    assert first == [] and cursor is not None      # a partial page with nothing yet, and where to go on


def test_the_digest_reads_the_open_cases_due_by_the_day_and_the_new_ones_only(p):
    """Issue 39: an office's daily digest names its overdue and due-today cases and those
    received since yesterday; an open case due later and received earlier is not read."""
    old_overdue = new_case("AAAAAAAAA1", due=date(2026, 1, 20), received=T0 - timedelta(days=30))
    due_today = new_case("AAAAAAAAA2", due=date(2026, 2, 4), received=T0 - timedelta(days=30))
    new = new_case("AAAAAAAAA3", due=date(2026, 3, 6), received=datetime(2026, 2, 3, 10, tzinfo=timezone.utc))
    thanks = new_case("AAAAAAAAA4", due=None, received=datetime(2026, 2, 3, 11, tzinfo=timezone.utc))
    later = new_case("AAAAAAAAA5", due=date(2026, 2, 20), received=T0)
    for c in (old_overdue, due_today, new, thanks, later):
        p.cases.add_submission(c, None)
    windows = [(date(2026, 3, 5), date(2026, 3, 6)), (date(2026, 2, 24), date(2026, 2, 25))]
    got = p.cases.digest_cases("34-maltepe", date(2026, 2, 4), windows, datetime(2026, 2, 3, tzinfo=timezone.utc))
    assert [c.application_no for c in got] == ["AAAAAAAAA1", "AAAAAAAAA2", "AAAAAAAAA3", "AAAAAAAAA4"]


def test_a_partners_request_list_is_filtered_in_the_index_and_paged(p):
    """Issue 39/40: the filters of GET requests (window, open/closed, service codes,
    district) and the page come from the partner index, newest change first."""
    from chalicelib.services.ports import PartnerRequestQuery
    specs = [("AAAAAAAAA1", "yol_kaldirim", "34-maltepe", Status.RECEIVED, 1),
             ("AAAAAAAAA2", "park_bahce", "34-maltepe", Status.FORWARDED, 2),
             ("AAAAAAAAA3", "yol_kaldirim", "34-kadikoy", Status.CONCLUDED, 3),
             ("AAAAAAAAA4", "yol_kaldirim", "34-maltepe", Status.RECEIVED, 4),
             ("AAAAAAAAA5", "yol_kaldirim", "34-maltepe", Status.RECEIVED, 40)]   # outside the window
    for no, category, district, status, day in specs:
        case = new_case(no, district=district, status=status, received=T0 + timedelta(days=day))
        case.category, case.partner = category, {"id": "p-1", "name": "Kent"}
        case.history = [HistoryEntry(T0 + timedelta(days=day), status, "alındı")]
        p.cases.add_submission(case, None)
    q = PartnerRequestQuery("p-1", T0, T0 + timedelta(days=10), frozenset({"open", "closed"}), frozenset(), None, 0, 10)
    assert p.cases.partner_requests(q) == ["AAAAAAAAA4", "AAAAAAAAA3", "AAAAAAAAA2", "AAAAAAAAA1"]
    def only(**changes):
        return p.cases.partner_requests(PartnerRequestQuery(**{**q.__dict__, **changes}))
    assert only(categories=frozenset({"park_bahce"})) == ["AAAAAAAAA2"]
    assert only(states=frozenset({"closed"})) == ["AAAAAAAAA3"]
    assert only(states=frozenset({"open"}), district="34-maltepe") == ["AAAAAAAAA4", "AAAAAAAAA2", "AAAAAAAAA1"]
    assert only(offset=1, limit=2) == ["AAAAAAAAA3", "AAAAAAAAA2"]
    assert only(partner_id="p-2") == []


def _closed(no: str, at: datetime, **changes):
    case = new_case(no, status=Status.CONCLUDED, **changes)
    case.concluded_at = at
    case.history.append(HistoryEntry(at, Status.CONCLUDED, "sonuçlandı"))
    return case


def test_a_case_closed_a_year_ago_is_archived_once_reads_the_same_and_a_write_brings_it_back(p):
    """Tiering (issue 39): every read answers as before; the first write brings the case
    back, and a write from a read made before it was archived is refused as stale."""
    from chalicelib.config import settings
    from chalicelib.domain import retention as R
    year_on = T0 + timedelta(days=400)
    old, recent, held = (_closed("AAAAAAAAAA", T0), _closed("BBBBBBBBBB", T0 + timedelta(days=200)),
                         _closed("CCCCCCCCCC", T0))
    held.legal_hold = {"reason": "dava", "by": "sorumlu.maltepe", "at": T0.isoformat()}
    open_ = new_case("DDDDDDDDDD")
    for c in (old, recent, held, open_):
        p.cases.add_submission(c, None)
    done = assignment("AAAAAAAAAA")
    done.status = AssignmentStatus.CLOSED
    p.cases.commit(old, [], new_assignments=[done])

    assert p.cases.due_archive(T0 + timedelta(days=300), 10) == []
    assert p.cases.due_archive(year_on, 10) == ["AAAAAAAAAA"]
    before, before_assignments = p.cases.load_with_assignments("AAAAAAAAAA")
    stale, _ = p.cases.load_with_assignments("AAAAAAAAAA")
    public = p.cases.get_public("AAAAAAAAAA")
    assert [p.cases.archive_case(no, year_on) for no in ("BBBBBBBBBB", "CCCCCCCCCC", "DDDDDDDDDD")] == [False] * 3
    assert p.cases.archive_case("AAAAAAAAAA", year_on) is True
    assert p.cases.archive_case("AAAAAAAAAA", year_on) is False
    assert p.cases.due_archive(year_on, 10) == []

    after, after_assignments = p.cases.load_with_assignments("AAAAAAAAAA")
    assert (after, after_assignments) == (before, before_assignments) and after.version == before.version
    assert p.cases.get("AAAAAAAAAA") == before and p.cases.get_public("AAAAAAAAAA") == public
    assert p.cases.cases_public(["AAAAAAAAAA"]) == [public]
    assert p.cases.case_states({"AAAAAAAAAA"}) == {"AAAAAAAAAA": (Status.CONCLUDED, T0)}
    assert "AAAAAAAAAA" in {c.application_no for c in p.cases.cases_of_applicant("10000000146")}
    assert "AAAAAAAAAA" in {r.application_no for r in p.cases.applicant_rows(
        p.keys.national_id_hash("10000000146"))}
    end = R.retention_end(T0.date(), settings().retention_years)
    due_on = datetime(end.year, end.month, end.day, 12, tzinfo=timezone.utc)
    assert "AAAAAAAAAA" in p.cases.due_retention(due_on)

    stale.add_note(year_on, "Eski okumayla not.", actor="sorumlu.maltepe")
    with pytest.raises(StaleCase):
        p.cases.commit(stale, [])
    after.add_note(year_on, "Dosya incelendi.", actor="sorumlu.maltepe")
    p.cases.commit(after, after_assignments)
    back, back_assignments = p.cases.load_with_assignments("AAAAAAAAAA")
    assert back.history[-1].note == "Dosya incelendi." and back.version == before.version + 1
    assert [(a.institution.id, a.status, a.version) for a in back_assignments] == [
        (a.institution.id, a.status, a.version + 1) for a in before_assignments]   # saved with the case
    assert p.cases.due_archive(year_on, 10) == ["AAAAAAAAAA"]            # back in the table: due again
    assert p.cases.archive_case("AAAAAAAAAA", year_on) is True
