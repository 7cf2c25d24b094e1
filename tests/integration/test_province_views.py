"""Issue 38: a province admin's views. The province dashboard has the province's totals
and a row per office, read from the offices' counters (what is read grows with the
offices, never with the cases); the queue can be narrowed to one office and names each
case's district."""
from __future__ import annotations

from tests.integration.helpers import route_all, submit


def test_the_province_dashboard_has_a_row_per_office_read_from_counters(client, staff, application, aws, aws_calls):
    for n in range(6):
        submit(client, dict(application, subject=f"Konu {n}"))
    route_all(aws)
    ist = staff.headers("il.istanbul")
    aws_calls.reset()
    r = client.http.get("/v1/staff/dashboard/province", headers=ist)
    assert r.status_code == 200, r.json_body
    assert aws_calls.count("dynamodb", "BatchGetItem") == 1 and aws_calls.count("dynamodb", "Query") == 0
    d = r.json_body
    assert d["province"] == "34" and d["province_name"] == "İstanbul"
    assert d["totals"]["offices"] == len(d["rows"]) == 40                # the valilik and 39 kaymakamlık
    assert d["rows"][0]["office_name"] == "İstanbul Valiliği"
    maltepe = next(x for x in d["rows"] if x["office"] == "34-maltepe")
    assert maltepe["open"] == 6 and maltepe["this_week_intake"] == 6
    assert d["totals"]["open"] == sum(x["open"] for x in d["rows"]) == 6
    reads = aws_calls.items_evaluated("dynamodb")
    for n in range(6, 30):                      # more cases: not one item more is read
        submit(client, dict(application, subject=f"Konu {n}"))
    route_all(aws)
    aws_calls.reset()
    again = client.http.get("/v1/staff/dashboard/province", headers=ist).json_body
    assert next(x for x in again["rows"] if x["office"] == "34-maltepe")["open"] == 30
    # the office counters (one item per office that has any) and, the first time, the reader's access record
    assert aws_calls.count("dynamodb", "BatchGetItem") == 1
    assert aws_calls.items_evaluated("dynamodb") <= reads <= 40 + 1


def test_the_province_dashboard_is_the_provinces_own(client, staff):
    assert client.http.get("/v1/staff/dashboard/province?province=06",
                           headers=staff.headers("il.istanbul")).status_code == 403
    assert client.http.get("/v1/staff/dashboard/province?province=06",
                           headers=staff.headers("yonetici")).json_body["province_name"] == "Ankara"
    assert client.http.get("/v1/staff/dashboard/province", headers=staff.headers("sorumlu.maltepe")).status_code == 403
    bad = client.http.get("/v1/staff/dashboard/province?province=99", headers=staff.headers("yonetici"))
    assert bad.status_code == 400 and bad.json_body["error"]["field"] == "province"


def test_a_province_admin_narrows_the_queue_to_one_office_and_sees_each_district(client, staff, application, aws):
    maltepe = submit(client, application)["application_no"]
    valilik = submit(client, dict(application, district="34-il"))["application_no"]
    route_all(aws)
    ist = staff.headers("il.istanbul")
    every = client.http.get("/v1/staff/cases", headers=ist).json_body["items"]
    assert {i["application_no"] for i in every} >= {maltepe, valilik}
    assert {i["district"] for i in every} >= {"34-maltepe", "34-il"}
    one = client.http.get("/v1/staff/cases?district=34-maltepe", headers=ist).json_body["items"]
    assert [i["application_no"] for i in one] == [maltepe]
    assert client.http.get("/v1/staff/cases?district=06-cankaya", headers=ist).status_code == 403
