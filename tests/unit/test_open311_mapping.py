"""The Open311 mapping (domain/open311.py): pure, with literal dates."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain import open311 as O
from chalicelib.domain.case import Status
from chalicelib.domain.errors import AppError

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=timezone.utc)


def test_statuses_map_to_open_closed_and_to_fixmystreet():
    assert {s: O.open_or_closed(s) for s in Status} == {
        Status.RECEIVED: "open", Status.IN_REVIEW: "open", Status.FORWARDED: "open",
        Status.AWAITING_APPLICANT: "open", Status.INSTITUTION_ANSWERED: "open", Status.UNDER_EVALUATION: "open",
        Status.CONCLUDED: "closed", Status.NOT_PROCESSED: "closed"}
    assert O.fms_status(Status.CONCLUDED, event="concluded", outcome="positive") == "FIXED"
    assert O.fms_status(Status.CONCLUDED, event="concluded", outcome="not_competent") == "NOT_COUNCILS_RESPONSIBILITY"
    assert O.fms_status(Status.NOT_PROCESSED, event="merged") == "DUPLICATE"
    # FixMyStreet reopens a report on OPEN and has no REOPEN state (issue 40)
    assert O.fms_status(Status.UNDER_EVALUATION, event="objection") == "OPEN"
    assert O.fms_status(Status.UNDER_EVALUATION, event="reopened") == "OPEN"
    assert O.fms_status(Status.FORWARDED, event="forwarded") == "IN_PROGRESS"
    assert set(O.FMS_STATUS) == set(Status)


def test_the_window_defaults_to_the_last_90_days_and_refuses_longer_spans():
    assert O.window(None, None, NOW) == (NOW - timedelta(days=90), NOW)
    start, end = O.window("2026-11-01T00:00:00+03:00", None, NOW)
    assert start.isoformat() == "2026-11-01T00:00:00+03:00" and end == NOW
    start, end = O.window("2026-01-01T00:00:00+03:00", None, NOW)   # 90 days from the start
    assert end - start == timedelta(days=90)
    start, end = O.window("2027-01-01T00:00:00+03:00", None, NOW)   # in the future: an empty window
    assert start == end
    with pytest.raises(AppError) as err:
        O.window("2026-01-01T00:00:00+03:00", "2026-04-02T00:00:00+03:00", NOW)
    assert err.value.field == "end_date" and "90 gün" in err.value.message
    with pytest.raises(AppError):
        O.window("2026-05-01T00:00:00", None, NOW)          # no offset
    # a '+' that form decoding turned into a space is read back
    assert O.parse_datetime("2026-05-01T00:00:00 03:00", "start_date").utcoffset() == timedelta(hours=3)


def test_a_form_becomes_the_json_api_body():
    fields, attrs = O.parse_form([("service_code", "yol_kaldirim"), ("lat", "40.9"), ("long", "29.1"),
                                  ("attribute[type]", "sikayet"), ("attribute[national_id]", "10000000146"),
                                  ("attribute[kvkk_acknowledged]", "true"), ("phone", "05321234567"),
                                  ("address_string", "Cevizli Mah. No:5"), ("first_name", "Ayşe"),
                                  ("description", "Kaldırım çökmüş durumda.")])
    body = O.application_body(fields, attrs, district="34-maltepe")
    assert body["category"] == "yol_kaldirim" and body["subject"] == "Yol, kaldırım ve asfalt bozukluğu"
    assert body["applicant"]["phone"] == "05321234567" and body["applicant"]["address"] == "Cevizli Mah. No:5"
    assert body["location"] == {"lat": 40.9, "lon": 29.1} and body["kvkk_acknowledged"] is True
    assert body["confidential_identity"] is False and body["channel"] == "open311"


@pytest.mark.parametrize("pairs,field", [
    ([("service_code", "a"), ("service_code", "b")], "service_code"),
    ([("attribute[type]", "a"), ("attribute[type]", "b")], "attribute[type]"),
    ([("attribute[type][]", "a")], "attribute[type][]"),
    ([("attribute[renk]", "a")], "attribute[renk]"),
    ([("favourite", "a")], "favourite"),
])
def test_a_form_with_a_repeated_list_or_unknown_field_is_refused_by_name(pairs, field):
    with pytest.raises(AppError) as err:
        O.parse_form(pairs)
    assert err.value.field == field and err.value.message.startswith(field + ":")


def test_field_errors_name_the_open311_field():
    [e] = O.open311_errors([{"code": "invalid_phone", "message": "Cep telefonu geçersiz.",
                             "field": "applicant.phone"}])
    assert e == {"code": 400, "description": "attribute[mobile_phone]: Cep telefonu geçersiz.",
                 "error_code": "invalid_phone", "field": "attribute[mobile_phone]"}


def test_every_service_has_the_same_ordered_attributes():
    services = O.services()
    assert all(s["metadata"] is True for s in services)
    definition = O.service_definition(services[0]["service_code"])
    assert [a["code"] for a in definition["attributes"]] == list(O.ATTRIBUTE_CODES)
    with pytest.raises(AppError) as err:
        O.service_definition("yok")
    assert err.value.status == 404
