from datetime import date, datetime, timezone

import pytest

from chalicelib.domain.calendar import TurkishCalendar, local_date

cal = TurkishCalendar()


def test_rule1_utc_late_evening_is_already_the_next_day_in_istanbul():
    assert local_date(datetime(2026, 3, 1, 22, 30, tzinfo=timezone.utc)) == date(2026, 3, 2)
    assert local_date(datetime(2026, 12, 31, 21, 0, tzinfo=timezone.utc)) == date(2027, 1, 1)
    assert local_date(datetime(2026, 3, 1, 20, 59, tzinfo=timezone.utc)) == date(2026, 3, 1)


def test_naive_timestamps_are_refused():
    with pytest.raises(ValueError):
        local_date(datetime(2026, 3, 1, 12, 0))


def test_rule3_worked_example_from_the_domain_reference():
    assert cal.legal_due_3071(date(2026, 1, 5)) == date(2026, 2, 4)


@pytest.mark.parametrize("receipt, due", [
    # +30 lands on Saturday 21 Mar 2026 (Ramazan Bayramı) -> Monday 23 Mar
    (date(2026, 2, 19), date(2026, 3, 23)),
    # +30 lands on Friday 20 Mar (bayram day 1) -> Mon 23 Mar
    (date(2026, 2, 18), date(2026, 3, 23)),
    # +30 lands on Thursday 19 Mar, the arife: a working day (half day), stays
    (date(2026, 2, 17), date(2026, 3, 19)),
    # +30 lands on Wednesday 27 May (Kurban Bayramı) -> Monday 1 Jun (28, 29, 30 holidays, 31 Sunday)
    (date(2026, 4, 27), date(2026, 6, 1)),
    # +30 lands on Tuesday 26 May, Kurban arife: working day
    (date(2026, 4, 26), date(2026, 5, 26)),
    # +30 lands on Thursday 29 Oct (Cumhuriyet Bayramı) -> Friday 30 Oct
    (date(2026, 9, 29), date(2026, 10, 30)),
    # +30 lands on Wednesday 28 Oct, half day: stays
    (date(2026, 9, 28), date(2026, 10, 28)),
    # +30 lands on Friday 1 Jan 2027 -> Monday 4 Jan 2027 (year end)
    (date(2026, 12, 2), date(2027, 1, 4)),
    # +30 lands on Sunday -> Monday
    (date(2026, 11, 30), date(2026, 12, 30)),
    # +30 lands on Wednesday 15 Jul 2026 (Demokrasi ve Milli Birlik Günü) -> Thursday 16 Jul
    (date(2026, 6, 15), date(2026, 7, 16)),
    # 2027: +30 lands on Wednesday 10 Mar (Ramazan Bayramı 9-11 Mar) -> Friday 12 Mar
    (date(2027, 2, 8), date(2027, 3, 12)),
    # 2027: +30 lands on Monday 17 May (Kurban Bayramı 16-19 May) -> Thursday 20 May
    (date(2027, 4, 17), date(2027, 5, 20)),
])
def test_rule3_law_3071_rolls_forward_off_weekends_and_full_holidays(receipt, due):
    assert cal.legal_due_3071(receipt) == due


@pytest.mark.parametrize("receipt, due", [
    # Plain weeks: Mon 2 Nov 2026 + 15 working days = Mon 23 Nov
    (date(2026, 11, 2), date(2026, 11, 23)),
    # Across Ramazan Bayramı 2026 (20 Mar Fri holiday; arife 19 Mar counts):
    # from Mon 9 Mar: 10-13 (4), 16-19 (8), 23-27 (13), 30-31 (15) -> 31 Mar
    (date(2026, 3, 9), date(2026, 3, 31)),
    # Across Kurban Bayramı 2026 (27-29 May weekdays, 19 May):
    # from Fri 15 May: 18 (1), 20-22 (4), 25-26 (6), 1-5 Jun (11), 8-11 (15) -> 11 Jun
    (date(2026, 5, 15), date(2026, 6, 11)),
    # Year end: from Mon 21 Dec 2026: 22-25 (4), 28-31 (8), 1 Jan holiday, 4-8 (13), 11-12 (15) -> 12 Jan 2027
    (date(2026, 12, 21), date(2027, 1, 12)),
])
def test_rule4_law_4982_counts_working_days(receipt, due):
    assert cal.legal_due_4982(receipt) == due


def test_rule4_extension_is_the_30th_working_day():
    # from Mon 2 Nov 2026: 15th = 23 Nov; 30th = 14 Dec
    assert cal.legal_due_4982(date(2026, 11, 2), extended=True) == date(2026, 12, 14)


def test_rule5_half_days_are_working_days_and_full_holidays_are_not():
    assert cal.is_working_day(date(2026, 3, 19))      # Ramazan arife
    assert cal.is_working_day(date(2026, 10, 28))     # 28 Ekim
    assert not cal.is_working_day(date(2026, 3, 20))
    assert not cal.is_working_day(date(2026, 10, 29))
    assert not cal.is_working_day(date(2026, 11, 28))  # Saturday


def test_rule6_administrative_leave_moves_the_sla_but_not_the_legal_deadline():
    leave = TurkishCalendar(frozenset({date(2026, 11, 3)}))
    assert leave.legal_due_4982(date(2026, 11, 2)) == cal.legal_due_4982(date(2026, 11, 2))
    assert leave.is_working_day(date(2026, 11, 3))
    assert not leave.is_working_day(date(2026, 11, 3), for_institution=True)
    # 7 working days from Mon 2 Nov: 3-6, 9-11 -> 11 Nov; with 3 Nov as leave -> 12 Nov
    assert cal.institution_sla_due(date(2026, 11, 2), date(2026, 12, 2)) == date(2026, 11, 11)
    assert leave.institution_sla_due(date(2026, 11, 2), date(2026, 12, 2)) == date(2026, 11, 12)


def test_rule7_sla_is_never_later_than_the_legal_due_date():
    assert cal.institution_sla_due(date(2026, 11, 2), date(2026, 11, 6)) == date(2026, 11, 6)
    assert cal.institution_sla_due(date(2026, 11, 2), date(2026, 12, 2), working_days=3) == date(2026, 11, 5)


# Full public holidays of 2026 and 2027 (Law 2429), written out from docs/domain-rules.md §3 and
# the fixed dates, independently of the `holidays` package the code uses.
FIXED = ["01-01", "04-23", "05-01", "05-19", "07-15", "08-30", "10-29"]
RELIGIOUS = {2026: ["03-20", "03-21", "03-22", "05-27", "05-28", "05-29", "05-30"],
             2027: ["03-09", "03-10", "03-11", "05-16", "05-17", "05-18", "05-19"]}
HALF_DAYS = {2026: ["03-19", "05-26", "10-28"], 2027: ["03-08", "05-15", "10-28"]}
HOLIDAYS = sorted({date.fromisoformat(f"{y}-{md}") for y in (2026, 2027) for md in FIXED + RELIGIOUS[y]})


def test_the_calendar_knows_exactly_the_full_holidays_of_2026_and_2027():
    from datetime import timedelta
    day, found = date(2026, 1, 1), []
    while day <= date(2027, 12, 31):
        if cal.is_public_holiday(day):
            found.append(day)
        day += timedelta(days=1)
    assert found == HOLIDAYS
    for y, days in HALF_DAYS.items():
        for md in days:
            d = date.fromisoformat(f"{y}-{md}")
            assert cal.is_working_day(d) == (d.weekday() < 5)  # arife and 28 Ekim are working days


def _next_working(d):
    from datetime import timedelta
    while d.weekday() >= 5 or d in HOLIDAYS:
        d += timedelta(days=1)
    return d


@pytest.mark.parametrize("holiday", HOLIDAYS, ids=str)
def test_a_3071_deadline_landing_on_each_holiday_moves_to_the_next_working_day(holiday):
    from datetime import timedelta
    for shift in (-1, 0, 1):  # the day before, the holiday itself, the day after
        due = holiday + timedelta(days=shift)
        assert cal.legal_due_3071(due - timedelta(days=30)) == _next_working(due)


@pytest.mark.parametrize("holiday", HOLIDAYS, ids=str)
def test_working_day_counts_across_each_holiday(holiday):
    from datetime import timedelta
    receipt = holiday - timedelta(days=10)

    def nth_working_day(n):
        day, counted = receipt, 0
        while counted < n:
            day += timedelta(days=1)
            if day.weekday() < 5 and day not in HOLIDAYS:
                counted += 1
        return day
    assert cal.legal_due_4982(receipt) == nth_working_day(15)
    assert cal.institution_sla_due(receipt, date(2028, 1, 1)) == nth_working_day(7)


def test_the_turkish_holidays_load_without_the_other_countries():
    """A cold start that computes a deadline in the table's years imports no part of the
    `holidays` package; for another year, the Turkish module, not 250 countries."""
    import subprocess
    import sys
    code = ("import sys; from datetime import date; from chalicelib.domain.calendar import default_calendar; "
            "c = default_calendar(); assert c.is_public_holiday(date(2026, 3, 20)); "
            "assert not c.is_public_holiday(date(2026, 3, 19)); "
            "print(len([m for m in sys.modules if m.startswith('holidays')])); "
            "assert c.is_public_holiday(date(2070, 10, 29)); "
            "print(len([m for m in sys.modules if m.startswith('holidays.countries.')]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=__import__("pathlib").Path(__file__).resolve().parents[2])
    assert out.stdout.split() == ["0", "1"]     # none for 2026; for 2070, holidays.countries.turkey only


def test_the_holiday_table_is_what_the_holidays_package_computes():
    """data/holidays_tr.json caches the package's answer for 2015-2050: every year in it
    must be what the installed package computes (after an upgrade of `holidays`, run
    tools/build_holidays.py again)."""
    import holidays

    from chalicelib.domain import calendar as c
    table = c._holiday_table()
    assert sorted(map(int, table)) == list(range(2015, 2051))
    for year, days in table.items():
        computed = sorted(d.isoformat() for d in holidays.Turkey(years=int(year), categories=("public",)))
        assert days == computed, f"{year}: run tools/build_holidays.py"
    assert "2026-03-20" in table["2026"] and "2026-10-29" in table["2026"] and "2026-10-28" not in table["2026"]


def test_the_turkish_holidays_load_once_when_many_requests_need_them_at_once():
    """Found under a burst: a thread that came while another loaded saw the stand-in package."""
    import subprocess
    import sys
    code = ("import threading; from datetime import date; from chalicelib.domain import calendar as c\n"
            "errors = []; barrier = threading.Barrier(16)\n"
            "def use(i):\n"
            "    barrier.wait()\n"
            "    try: assert c._public_holidays(2060 + i) and c.TurkishCalendar().is_public_holiday(date(2060 + i, 1, 1))\n"
            "    except Exception as e: errors.append(repr(e))\n"
            "ts = [threading.Thread(target=use, args=(i,)) for i in range(16)]\n"
            "[t.start() for t in ts]; [t.join() for t in ts]; print(errors)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=__import__("pathlib").Path(__file__).resolve().parents[2])
    assert out.stdout.strip() == "[]"
