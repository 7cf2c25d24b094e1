"""The local pump runs each schedule at its own cadence: the 15-minute deadline sweep at the
accelerated interval, the daily, nightly and monthly jobs at their cron time in UTC, as
EventBridge would, not every job every interval (the morning digest reads every open case
of a district; run every minute it made a soak's latency grow with the open cases)."""
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devstack import pump as pump_module

UTC = timezone.utc
START = datetime(2026, 12, 31, 0, 0, 20, tzinfo=UTC)       # two days across the 1st of January

# when the app's cron schedules run, from their docstrings (not from the expressions)
DOCUMENTED = {"daily_watch": lambda m: (m.hour, m.minute) == (5, 0),
              "stats_rollup": lambda m: (m.hour, m.minute) == (0, 30),
              "kvkk_sweep": lambda m: (m.day, m.hour, m.minute) == (1, 1, 0)}


@contextmanager
def recording(start: datetime):
    """A pump over the real app from `start`, its scheduled handlers replaced by recorders
    of (schedule, event time) in `pump.runs`, put back afterwards."""
    from app import app
    p = pump_module.Pump(app, schedule_interval=60, wait_seconds=0)
    p.runs, original = [], dict(app.handler_map)
    try:
        for name in p.schedules:
            app.handler_map[name] = lambda event, context, name=name: p.runs.append((name, event["time"]))
        p.reset_clock(start, 0.0)
        yield p
    finally:
        app.handler_map.clear()
        app.handler_map.update(original)


@pytest.fixture
def pump(aws):
    with recording(START) as p:
        yield p


def _walk(pump, seconds: list[float]):
    """Calls the pump's loop at START + each offset (wall and monotonic clocks together)."""
    for s in seconds:
        pump.run_due(START + timedelta(seconds=s), s)
    return pump.runs


def test_over_two_days_the_daily_jobs_run_once_a_day_and_the_deadline_sweep_every_interval(pump):
    runs = _walk(pump, [i * 20.0 for i in range(1, 3 * 60 * 48 + 1)])    # every 20 s for 48 h
    by = {name: [at for n, at in runs if n == name] for name in pump.schedules}
    assert by["daily_watch"] == ["2026-12-31T05:00:00Z", "2027-01-01T05:00:00Z"]
    assert by["stats_rollup"] == ["2026-12-31T00:30:00Z", "2027-01-01T00:30:00Z"]
    assert by["kvkk_sweep"] == ["2027-01-01T01:00:00Z"]
    assert len(by["deadline_sweep"]) == 48 * 60                            # once a minute, accelerated


def test_a_stalled_loop_catches_up_on_the_hour_it_missed_but_not_on_a_night_asleep(pump):
    _walk(pump, [4 * 3600 + 58 * 60, 5 * 3600 + 10 * 60])                 # 04:58, then 05:10
    assert [r for r in pump.runs if r[0] == "daily_watch"] == [("daily_watch", "2026-12-31T05:00:00Z")]
    pump.runs.clear()
    _walk(pump, [(24 + 4) * 3600, (24 + 7) * 3600])                        # asleep from 04:00 to 07:00
    assert [r for r in pump.runs if r[0] == "daily_watch"] == []


def test_a_cron_minute_that_had_begun_when_the_stack_started_is_not_run(pump):
    pump.reset_clock(datetime(2026, 12, 31, 5, 0, 30, tzinfo=UTC), 0.0)
    pump.run_due(datetime(2026, 12, 31, 5, 0, 50, tzinfo=UTC), 20.0)
    pump.run_due(datetime(2026, 12, 31, 5, 1, 5, tzinfo=UTC), 35.0)
    assert pump.runs == []


# the moto queues of `aws` are only read (for their URLs); each example builds its own pump
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.floats(min_value=0.1, max_value=pump_module.CRON_CATCH_UP.total_seconds()),
                min_size=1, max_size=80))
def test_each_cron_job_runs_exactly_at_its_documented_minutes_however_the_loop_is_paced(aws, gaps):
    start = datetime(2026, 12, 31, 23, 0, 10, tzinfo=UTC) - timedelta(seconds=sum(gaps) / 2)
    elapsed = 0.0
    with recording(start) as p:
        for gap in gaps:
            elapsed += gap
            p.run_due(start + timedelta(seconds=elapsed), elapsed)
    runs = p.runs
    first = start.replace(second=0, microsecond=0) + timedelta(minutes=1)
    last = (start + timedelta(seconds=elapsed)).replace(second=0, microsecond=0)
    minutes = [first + timedelta(minutes=i) for i in range(int((last - first).total_seconds() // 60) + 1)]
    for name, documented in DOCUMENTED.items():
        expected = [m.strftime("%Y-%m-%dT%H:%M:%SZ") for m in minutes if documented(m)]
        assert [at for n, at in runs if n == name] == expected


def test_the_cron_reader_follows_eventbridge_days_of_the_week_and_refuses_what_it_cannot_follow():
    from chalice import Cron
    monday_nine = pump_module.cron_matcher(Cron(0, 9, "?", "*", "2", "*"))     # EventBridge: MON = 2
    assert monday_nine(datetime(2026, 12, 7, 9, 0, tzinfo=UTC))                # a Monday
    assert not monday_nine(datetime(2026, 12, 6, 9, 0, tzinfo=UTC))            # a Sunday
    weekdays = pump_module.cron_matcher(Cron("0,30", "6-7", "?", "*", "2-6", "*"))
    assert weekdays(datetime(2026, 12, 4, 7, 30, tzinfo=UTC))                  # Friday 07:30
    assert not weekdays(datetime(2026, 12, 5, 7, 30, tzinfo=UTC))              # Saturday
    assert not weekdays(datetime(2026, 12, 4, 7, 15, tzinfo=UTC))
    for unreadable in ("MON", "*/5", "L", "3#1"):
        with pytest.raises(ValueError, match="day_of_week"):
            pump_module.cron_matcher(Cron(0, 9, "?", "*", unreadable, "*"))
    with pytest.raises(ValueError, match="hours"):
        pump_module.cron_matcher(Cron(0, 24, "*", "*", "?", "*"))


def test_the_banner_says_what_runs_when(pump):
    line = pump.describe()
    assert "deadline_sweep, archive_sweep every 60 s" in line
    assert "daily_watch cron(0 5 * * ? *) UTC" in line and "kvkk_sweep cron(0 1 1 * ? *) UTC" in line


def test_with_schedules_off_nothing_runs_whatever_the_time(pump, monkeypatch):
    monkeypatch.setenv("SCHEDULES", "off")
    from app import app
    quiet = pump_module.Pump(app, schedule_interval=60, wait_seconds=0)
    quiet.reset_clock(START, 0.0)
    assert quiet.describe() == "off (SCHEDULES=off)"
    assert [quiet.run_due(START + timedelta(minutes=m), m * 60.0) for m in range(1, 6 * 60)] == [[]] * (6 * 60 - 1)
    assert pump.runs == []                       # 00:30 and 05:00 passed, the recorders heard nothing
