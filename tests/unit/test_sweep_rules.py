from datetime import date, datetime, timezone

from chalicelib.domain import sweeps
from chalicelib.domain.assignment import Assignment, AssignmentStatus, Institution
from chalicelib.domain.calendar import ISTANBUL, TurkishCalendar
from tests.unit.test_office_policy import new_case

cal = TurkishCalendar()
INST = Institution("34-x.belediye", "belediye", "X", "x@x.example")


def assignment(sla_due, **kw):
    return Assignment("AAAAAAAAAA", INST, kw.pop("status", AssignmentStatus.SENT),
                      datetime(2026, 3, 10, tzinfo=timezone.utc), sla_due, 1, **kw)


def test_reminder_is_due_two_working_days_before_the_sla_skipping_holidays():
    # SLA due Tue 24 Mar 2026; working days before: Mon 23, (Fri 20 - Sun 22 bayram/weekend), Thu 19 (arife counts)
    action, at = sweeps.assignment_next(assignment(date(2026, 3, 24)), cal)
    assert action == "remind" and at == datetime(2026, 3, 19, 0, 0, tzinfo=ISTANBUL)


def test_after_the_reminder_the_next_step_is_overdue_the_day_after_the_sla():
    a = assignment(date(2026, 3, 24))
    a.reminded_for = sweeps.assignment_step(a)
    assert sweeps.assignment_next(a, cal) == ("overdue", datetime(2026, 3, 25, tzinfo=ISTANBUL))


def test_a_returned_answer_starts_a_new_reminder_step():
    from chalicelib.domain.assignment import Answer
    a = assignment(date(2026, 3, 24))
    a.reminded_for = sweeps.assignment_step(a)
    a.answers.append(Answer(datetime(2026, 3, 20, tzinfo=timezone.utc), "t", "positive", "n", "t"))
    a.status = AssignmentStatus.RETURNED
    assert sweeps.assignment_next(a, cal)[0] == "remind"


def test_nothing_is_pending_for_answered_redirected_or_escalated_assignments():
    for status in (AssignmentStatus.ANSWERED, AssignmentStatus.REDIRECTED, AssignmentStatus.OVERDUE):
        assert sweeps.assignment_next(assignment(date(2026, 3, 24), status=status), cal) is None


def test_case_watch_legal_warning_and_extension_window():
    case = new_case(receipt_date=date(2026, 11, 2), legal_due_date=date(2026, 12, 2))
    assert sweeps.case_next(case, cal) == datetime(2026, 11, 27, tzinfo=ISTANBUL)
    info = new_case(type="bilgi_edinme", law="4982", receipt_date=date(2026, 11, 2), legal_due_date=date(2026, 11, 23))
    # working day 12 after Mon 2 Nov: 3-6 (4), 9-13 (9), 16-18 (12) -> Wed 18 Nov
    assert dict(sweeps.case_actions(info, cal))["extension_window"] == datetime(2026, 11, 18, tzinfo=ISTANBUL)
    info.extension_warned = True
    info.legal_warned_for = "2026-11-23"
    assert sweeps.case_next(info, cal) is None


def test_shards_spread_keys():
    counts = [0] * sweeps.SHARDS
    for i in range(8000):
        counts[sweeps.shard_of(f"ABCDEFGH{i}.34-x.belediye")] += 1
    assert min(counts) > 800 and max(counts) < 1200


def test_a_received_case_holds_the_reroute_slot_then_its_warnings_then_nothing():
    from datetime import timedelta

    from chalicelib.domain.case import Status
    received = new_case()                                       # legal due Wed 30 Dec 2026
    assert sweeps.case_slot(received, cal) == (sweeps.ROUTE_KIND, received.received_at + timedelta(minutes=10))
    desk = new_case(recorded_at=datetime(2026, 11, 30, 14, tzinfo=timezone.utc))   # typed in later at the desk
    assert sweeps.case_slot(desk, cal)[1] == datetime(2026, 11, 30, 14, 10, tzinfo=timezone.utc)
    forwarded = new_case(status=Status.FORWARDED)
    assert sweeps.case_slot(forwarded, cal) == (sweeps.CASE_KIND, datetime(2026, 12, 25, tzinfo=ISTANBUL))
    assert sweeps.case_slot(new_case(status=Status.CONCLUDED), cal) is None
