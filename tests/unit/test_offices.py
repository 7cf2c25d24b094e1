"""Offices as data (issue 37): every place has an office; an application to an office not
onboarded goes to the first onboarded one above it, never nowhere; an office sets itself
up and its routing rules are its own. On the fakes."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from chalicelib.domain import office as policy
from chalicelib.domain import offices as O
from chalicelib.domain.catalog import catalog
from chalicelib.domain.errors import AppError, Forbidden
from chalicelib.domain.principal import Principal
from chalicelib.services import applications, office, reference, routing, staff, tracking
from tests.conftest import VALID_APPLICATION

USERS = json.loads((Path(__file__).resolve().parents[2] / "devstack" / "demo_users.json").read_text("utf-8"))["users"]
ADMIN = Principal("yonetici", "admin", None, None)


def test_the_geography_gives_every_place_an_office_and_the_valilik_serves_a_central_district():
    cat = catalog()
    metropolitan = [p["name"] for p in cat.provinces if O.metropolitan(p)]
    assert len(metropolitan) == 30 and {"İstanbul", "Ankara", "İzmir", "Van", "Mardin"} <= set(metropolitan)
    assert len(cat.districts) == 973 + 81                  # every district, and each province as a whole
    offices = [o for o in cat.offices.values() if o.kind != "national"]
    assert len([o for o in offices if o.kind == "valilik"]) == 81
    assert len([o for o in offices if o.kind == "kaymakamlik"]) == 973 - 51    # no kaymakam in 51 central districts
    assert cat.districts["02-merkez"].office == "02-valilik" and cat.districts["02-il"].office == "02-valilik"
    assert cat.districts["34-il"].office == "34-valilik" and cat.districts["34-kadikoy"].office == "34-kadikoy"
    assert cat.offices["02-valilik"].name == "Adıyaman Valiliği" and cat.offices["01-aladag"].name == "Aladağ Kaymakamlığı"
    served = [place for o in offices for place in o.serves]
    assert sorted(served) == sorted(cat.districts)          # each place by exactly one office


def test_an_application_goes_to_the_first_onboarded_office_above_its_place():
    onboarded = {"34-maltepe", "02-valilik"}
    assert O.handling_office("34-maltepe", onboarded) == "34-maltepe"
    assert O.handling_office("34-kadikoy", onboarded) == O.NATIONAL           # İstanbul Valiliği has not joined
    assert O.handling_office("02-kahta", onboarded) == "02-valilik"           # Kahta's kaymakamlık has not
    assert O.handling_office("02-merkez", onboarded) == "02-valilik" == O.handling_office("02-il", onboarded)


def test_every_application_to_every_place_ends_in_a_queue_a_staff_member_can_open(p):
    """Issue 37: an application to Aladağ was accepted and then seen by nobody until its
    deadline passed. One application to each of the 973 districts and 81 provinces: each
    is received with a legal date, names the office that handles it, and is in the queue
    of an office some staff member may open."""
    staff.seed(p, USERS)
    principals = [p.directory.get(u["username"]).principal() for u in USERS]
    handled: dict[str, set[str]] = {}
    for code, place in sorted(catalog().districts.items()):
        body = copy.deepcopy(VALID_APPLICATION)
        body.update(district=code, category="park_bahce", subject=f"Park {code}")
        receipt = applications.submit(p, body, idempotency_key_header=None).body
        no = receipt["application_no"].replace("-", "")
        assert receipt["legal_due_date"] and receipt["office"]["code"] in catalog().offices
        view = tracking.track(p, receipt["application_no"], receipt["access_code"], client="1.1.1.1")
        assert view["office"] == receipt["office"]
        handled.setdefault(receipt["office"]["code"], set()).add(no)
    while p.publisher.routed:
        routing.handle(p, p.publisher.routed.pop(0))
    assert set(handled) == {"34-maltepe", "06-cankaya", O.NATIONAL}
    for code, nos in handled.items():
        readers = [pr for pr in principals if pr.role in ("desk", "supervisor", "admin")
                   and policy.can_read(pr, code, catalog().offices[code].province or "")]
        assert readers, code
        seen, cursor = set(), None
        while True:
            page = office.queue(p, readers[0], {"district": code, "limit": "100", **({"cursor": cursor} if cursor else {})})
            seen |= {i["application_no"].replace("-", "") for i in page["items"]}
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert nos <= seen, code
    # and once a valilik joins, what its province sends goes to it, not to the national queue
    kadikoy = reference.office(p, "34-valilik")
    kadikoy.email, kadikoy.onboarded = "acikkapi@istanbul.gov.example", True
    p.reference.save_office(kadikoy)
    reference.forget_onboarded(p)
    body = dict(copy.deepcopy(VALID_APPLICATION), district="34-kadikoy", subject="Kadıköy")
    assert applications.submit(p, body, idempotency_key_header=None).body["office"] == {
        "code": "34-valilik", "name": "İstanbul Valiliği"}


def test_a_taken_over_case_waits_for_the_office_and_names_why(p):
    no = applications.submit(p, dict(copy.deepcopy(VALID_APPLICATION), district="01-aladag"),
                             idempotency_key_header=None).body["application_no"].replace("-", "")
    [msg] = [m for m in p.publisher.routed if m["application_no"] == no]
    assert routing.handle(p, msg) == "in_review"
    case = p.cases.get(no)
    assert case.office == O.NATIONAL and "Aladağ Kaymakamlığı henüz Açık Kapı'ya katılmadığı için" in case.review_reason
    detail = office.get_case(p, ADMIN, no, client="x")                      # the national admins open it
    assert "forward" in detail["allowed_actions"]
    names = {i["name"]: i for i in detail["district_institutions"]}
    assert names["Aladağ Belediye Başkanlığı"]["confirmed"] is False          # the registry's, not confirmed yet
    with pytest.raises(Forbidden):
        office.get_case(p, Principal("masa.maltepe", "desk", "34-maltepe", "34"), no, client="x")


def test_nothing_is_forwarded_to_an_unconfirmed_address(p):
    """A forward to an institution with no confirmed liaison address would go to an unread
    mailbox: the office is told which, and nothing is sent."""
    from chalicelib.domain.assignment import DistrictSettings, Institution
    stored = p.reference.district("34-maltepe")
    stored.institutions = [i if i.kind != "emniyet" else Institution(i.id, i.kind, i.name, None, confirmed=False)
                           for i in stored.institutions]
    p.reference.save_district(stored)
    no = applications.submit(p, dict(copy.deepcopy(VALID_APPLICATION), category="park_bahce"),
                             idempotency_key_header=None).body["application_no"].replace("-", "")
    routing.handle(p, [m for m in p.publisher.routed if m["application_no"] == no][0])
    desk = Principal("masa.maltepe", "desk", "34-maltepe", "34")
    case = p.cases.get(no)
    with pytest.raises(AppError) as exc:
        office.forward(p, desk, no, {"institution_ids": ["34-maltepe.emniyet"], "version": case.version}, client="x")
    assert exc.value.status == 422 and exc.value.errors[0]["field"] == "institution_ids.0"
    assert exc.value.errors[0]["code"] == "unconfirmed_address" and p.cases.get(no).status == case.status
    assert isinstance(stored, DistrictSettings)


def test_an_office_overrides_the_national_routing_rule_for_its_own_cases(p):
    desk_office = reference.office(p, "34-maltepe")
    desk_office.routing = {"yol_kaldirim": ("emniyet",)}          # roads go to the police here
    p.reference.save_office(desk_office)
    no = applications.submit(p, copy.deepcopy(VALID_APPLICATION), idempotency_key_header=None).body[
        "application_no"].replace("-", "")
    routing.handle(p, [m for m in p.publisher.routed if m["application_no"] == no][0])
    [a] = p.cases.assignments(no)
    assert a.institution.id == "34-maltepe.emniyet"
    other = applications.submit(p, dict(copy.deepcopy(VALID_APPLICATION), district="06-cankaya"),
                                idempotency_key_header=None).body["application_no"].replace("-", "")
    routing.handle(p, [m for m in p.publisher.routed if m["application_no"] == other][0])
    desk = Principal("masa.cankaya", "desk", "06-cankaya", "06")
    assert office.get_case(p, desk, other, client="x")["suggested_institution_ids"] == ["06-cankaya.belediye"]


def test_who_may_set_up_an_office(p):
    supervisor = Principal("sorumlu.maltepe", "supervisor", "34-maltepe", "34")
    province = Principal("il.istanbul", "province", None, "34")
    assert reference.get_office(p, supervisor, "34-maltepe")["onboarded"] is True
    assert reference.get_office(p, province, "34-kadikoy")["name"] == "Kadıköy Kaymakamlığı"
    for who, code in ((supervisor, "34-kadikoy"), (province, "06-cankaya"),
                      (Principal("masa.maltepe", "desk", "34-maltepe", "34"), "34-maltepe")):
        with pytest.raises(Forbidden):
            reference.get_office(p, who, code)
    with pytest.raises(AppError) as exc:
        reference.put_office(p, ADMIN, "34-kadikoy", {"onboarded": True, "routing": {"yok_boyle": ["belediye"]}},
                             if_match=None, client="x")
    assert {e["field"] for e in exc.value.errors} == {"email"} or exc.value.field in ("email", "routing.yok_boyle")
    done = reference.put_office(p, province, "34-kadikoy", {"email": "acikkapi@kadikoy.example", "onboarded": True,
                                                            "kep": "kadikoy@hs01.kep.tr"}, if_match=None, client="x")
    assert done["onboarded"] is True and done["version"] == 1 and "34-kadikoy" in p.reference.onboarded_offices()
    [entry] = [e for e in p.audit.entries if e.subject == "OFFICE-34-kadikoy"]
    assert entry.actor == "il.istanbul" and "onboarded" in entry.detail["changed"]
