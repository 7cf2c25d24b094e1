"""Where the matter is: the neighbourhood picker's list (GET /v1/catalog/neighbourhoods/{district})
and the place an application carries, checked against the district, sealed at rest, shown
to the office and the institution, and gone with the personal data."""
from __future__ import annotations

import json

import boto3
import pytest

from tests.integration.helpers import H, detail, forwarded_case, submit


def test_a_districts_neighbourhoods_in_turkish_order(client):
    resp = client.http.get("/v1/catalog/neighbourhoods/34-maltepe")
    assert resp.status_code == 200 and "public" in resp.headers["Cache-Control"]
    names = resp.json_body["neighbourhoods"]
    assert "Cevizli Mahallesi" in names and "İdealtepe Mahallesi" in names
    # Turkish order: Cevizli before Çınar before Esenkent; İdealtepe after Gülsuyu
    assert names.index("Cevizli Mahallesi") < names.index("Çınar Mahallesi") < names.index("Esenkent Mahallesi")
    assert names.index("Gülsuyu Mahallesi") < names.index("İdealtepe Mahallesi")
    # villages of a rural district, the source's lower-case parentheses capitalised the Turkish way
    rural = client.http.get("/v1/catalog/neighbourhoods/08-yusufeli").json_body["neighbourhoods"]
    assert "Ada Mahallesi (Irmakyanı Köyü)" in rural and len(rural) > 600


def test_a_province_as_a_whole_has_none_and_an_unknown_district_is_404(client):
    assert client.http.get("/v1/catalog/neighbourhoods/34-il").json_body["neighbourhoods"] == []
    resp = client.http.get("/v1/catalog/neighbourhoods/34-nowhere")
    assert resp.status_code == 404 and resp.json_body["error"]["code"] == "unknown_district"
    assert resp.json_body["error"]["field"] == "district"


def test_the_place_is_sealed_and_the_office_and_institution_see_it(client, application, aws, staff):
    place = {"neighbourhood": "Cevizli Mahallesi", "street": "Bağdat Caddesi No 5"}
    receipt, token = forwarded_case(client, dict(application, place=place), aws)
    no = receipt["application_no"].replace("-", "")
    raw = boto3.client("dynamodb", region_name="eu-central-1").get_item(
        TableName=aws["MAIN_TABLE"], Key={"pk": {"S": f"CASE#{no}"}, "sk": {"S": "CASE"}})["Item"]
    raw.pop("log_z")
    assert "Bağdat Caddesi No 5" not in json.dumps(raw, ensure_ascii=False)
    assert raw["place_enc"]["S"].startswith("v1:")
    assert detail(client, staff, receipt["application_no"])["place"] == place
    view = client.http.get("/v1/institution/assignment", headers={"X-Link-Token": token})
    assert view.status_code == 200 and view.json_body["place"] == place


def test_a_place_without_a_street_is_kept_as_chosen(client, application, aws, staff):
    receipt = submit(client, dict(application, place={"neighbourhood": "Gülsuyu Mahallesi", "street": "  "}))
    assert detail(client, staff, receipt["application_no"])["place"] == {"neighbourhood": "Gülsuyu Mahallesi"}


@pytest.mark.parametrize("place, field, code", [
    ({"neighbourhood": "Caferağa Mahallesi"}, "place.neighbourhood", "unknown_neighbourhood"),   # Kadıköy's, not Maltepe's
    ({"neighbourhood": "Cevizli"}, "place.neighbourhood", "unknown_neighbourhood"),
    ({"neighbourhood": ""}, "place.neighbourhood", "required"),
    ({"street": "Bağdat Caddesi"}, "place.neighbourhood", "required"),
    ({"neighbourhood": "Cevizli Mahallesi", "street": "x" * 151}, "place.street", "too_long"),
    ({"neighbourhood": "Cevizli Mahallesi", "floor": 3}, "place.floor", "unknown_field"),
])
def test_a_wrong_place_names_its_field_and_writes_nothing(client, application, aws, place, field, code):
    resp = client.http.post("/v1/applications", headers=H, body=json.dumps(dict(application, place=place)))
    assert resp.status_code == 422, resp.body
    errors = {(e["field"], e["code"]): e["message"] for e in resp.json_body["errors"]}
    assert (field, code) in errors, errors
    assert "Mahalle" in errors[(field, code)] or "Cadde" in errors[(field, code)] or "alan" in errors[(field, code)]
    table = boto3.resource("dynamodb", region_name="eu-central-1").Table(aws["MAIN_TABLE"])
    assert not [i for i in table.scan()["Items"] if i["sk"] == "CASE"]
