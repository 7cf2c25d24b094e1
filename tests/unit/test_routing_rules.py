from datetime import date, datetime, timezone

from chalicelib.domain.assignment import (DistrictSettings, Institution, new_assignments, resolve,
                                          sla_working_days)
from chalicelib.domain.calendar import TurkishCalendar
from chalicelib.domain.catalog import Subject, catalog
from chalicelib.domain.notifications import Notification, templates

BEL = Institution("34-x.belediye", "belediye", "X Belediyesi", "b@x.example")
EMN = Institution("34-x.emniyet", "emniyet", "X Emniyet", "e@x.example", sla_days=3)
DISTRICT = DistrictSettings("34-x", [BEL, EMN])


def subject(*kinds, sla=None):
    return Subject("s", "S", "h", tuple(kinds), sla)


def test_one_kind_with_one_institution_is_unambiguous():
    r = resolve(("belediye",), DISTRICT)
    assert r.institutions == [BEL] and r.unambiguous


def test_several_kinds_give_several_institutions_and_need_triage():
    r = resolve(("belediye", "emniyet"), DISTRICT)
    assert r.institutions == [BEL, EMN] and not r.unambiguous


def test_a_kind_missing_in_the_district_is_reported():
    r = resolve(("belediye", "tarim"), DISTRICT)
    assert r.missing_kinds == ["tarim"] and not r.unambiguous
    assert resolve(("tarim",), None).institutions == []


def test_a_kind_the_place_lacks_comes_from_the_province_and_an_unconfirmed_address_is_never_unambiguous():
    province = DistrictSettings("34-il", [Institution("34-il.cevre", "cevre", "İl Çevre", "c@x.example"),
                                          Institution("34-il.belediye", "belediye", "Büyükşehir", "bb@x.example")])
    r = resolve(("belediye", "cevre"), DISTRICT, province)
    assert [i.id for i in r.institutions] == ["34-x.belediye", "34-il.cevre"]     # the place's own first
    unconfirmed = DistrictSettings("34-y", [Institution("34-y.belediye", "belediye", "Y", None, confirmed=False)])
    r = resolve(("belediye",), unconfirmed)
    assert r.unconfirmed and not r.unambiguous
    disabled = DistrictSettings("34-z", [Institution("34-z.belediye", "belediye", "Z", "z@x.example", active=False)])
    assert resolve(("belediye",), disabled).missing_kinds == ["belediye"]


def test_sla_days_per_institution_then_per_subject_then_seven():
    assert sla_working_days(subject("emniyet", sla=5), EMN) == 3
    assert sla_working_days(subject("belediye", sla=5), BEL) == 5
    assert sla_working_days(subject("belediye"), BEL) == 7


def test_assignments_get_their_sla_from_the_dispatch_day_in_istanbul():
    # dispatched Friday 22:30 UTC = Saturday in İstanbul; 7 working days from Sat 21 Nov 2026 -> Tue 1 Dec
    now = datetime(2026, 11, 20, 22, 30, tzinfo=timezone.utc)
    [a] = new_assignments("N", subject("belediye"), [BEL], now=now, legal_due=date(2026, 12, 21), forward_id=1,
                          calendar=TurkishCalendar())
    assert a.sla_due_date == date(2026, 12, 1)
    [b] = new_assignments("N", subject("emniyet"), [EMN], now=now, legal_due=date(2026, 11, 24), forward_id=1,
                          calendar=TurkishCalendar())
    assert b.sla_due_date == date(2026, 11, 24)  # capped by the legal due date


def test_every_subject_names_known_institution_kinds():
    cat = catalog()
    for s in cat.subjects.values():
        assert s.institution_kinds and set(s.institution_kinds) <= set(cat.institution_kinds)


def test_templates_render_in_turkish():
    n = Notification("k", "sms", "receipt", "+905321234567",
                     {"application_no": "AAAA-BBBB-CC", "date": "29.11.2026", "subject": "Kaldırım",
                      "track_url": "http://x"})
    subject_line, body = n.render()
    assert subject_line is None and "numarasıyla alındı" in body and "AAAA-BBBB-CC" in body
    assert set(templates()["email"]) >= {"institution_assigned", "institution_returned", "institution_reminder"}
