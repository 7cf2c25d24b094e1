"""Issue 17: GET /v1/stats on moto. The cells are written in the changes' own
transactions (submit stays 1 + 1), the roll-up publishes them, small numbers are hidden,
and a request costs at most two small reads whatever the history."""
from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta, timezone

import boto3

from chalicelib.domain.calendar import ISTANBUL
from tests.conftest import VALID_APPLICATION
from tests.integration.helpers import ANSWER, H, act, forwarded_case, inst_post, route_all, submit, tracked

SECRETS = ("10000000146", "Ayşe", "Yılmaz", "5321234567", "Bağdat", "ayse@example.com")


def _concluded(client, staff, aws, application):
    receipt, token = forwarded_case(client, application, aws)
    assert inst_post(client, "answer", token, ANSWER).status_code == 200
    route_all(aws)
    r = act(client, staff, receipt["application_no"], "conclude",
            {"outcome": "positive", "answer": "Kaldırım onarıldı; gereği yapıldı, teşekkür ederiz."})
    assert r.status_code == 200, r.body
    return receipt


def _next_month() -> datetime:
    """The first night of next month (İstanbul), when this month becomes final and is published."""
    today = datetime.now(ISTANBUL)
    first = (today.replace(day=1) + timedelta(days=32)).replace(day=1, hour=0, minute=30)
    return first.astimezone(timezone.utc)


def _roll_up(at: datetime | None = None):
    from chalicelib.bootstrap import ports
    from chalicelib.services import open_stats
    return open_stats.roll_up(ports(), at or _next_month())


def _row(rows, **where):
    [row] = [r for r in rows if all(r.get(k) == v for k, v in where.items())]
    return row


def test_published_statistics_hide_small_numbers_and_cost_two_reads(client, staff, aws, aws_calls):
    receipts = [_concluded(client, staff, aws, VALID_APPLICATION) for _ in range(5)]
    submit(client, VALID_APPLICATION)                                       # a sixth, still open
    talep = copy.deepcopy(VALID_APPLICATION)
    talep.update(type="talep", subject="Park yapılsın")
    for _ in range(5):
        submit(client, talep)                    # five requests: shown alone, hidden to protect the ihbar
    submit(client, {**VALID_APPLICATION, "type": "ihbar", "subject": "Kaçak yapı"})   # one: hidden
    route_all(aws)
    view = tracked(client, receipts[0])
    r = client.http.post("/v1/surveys", headers={**H, "X-Survey-Token": view["survey_token"]},
                         body=json.dumps({"rating": 5}))
    assert r.status_code == 201, r.body

    month = datetime.now(ISTANBUL).strftime("%Y-%m")
    _roll_up(datetime.now(timezone.utc))          # the month in progress is never published: its nightly
    assert client.http.get(f"/v1/stats?month={month}").status_code == 404   # figures would differ by a day
    aws_calls.reset()
    assert _roll_up()["cells"] >= 2
    # the roll-up's calls are all allowed by its own least-privilege role
    from pathlib import Path
    policy = json.loads((Path(__file__).resolve().parents[2] / ".chalice" / "policy-dev-stats.json").read_text())
    allowed = {a.split(":")[1] for st in policy["Statement"] for a in st["Action"] if a.startswith("dynamodb:")}
    assert set(aws_calls.operations("dynamodb")) <= allowed, (aws_calls.operations("dynamodb"), allowed)
    assert not aws_calls.operations("kms") and not aws_calls.operations("secretsmanager")

    aws_calls.reset()
    resp = client.http.get(f"/v1/stats?month={month}&province=34")
    assert resp.status_code == 200 and resp.headers["Cache-Control"].startswith("public")
    assert aws_calls.operations("dynamodb") == ["BatchGetItem"] and aws_calls.items_evaluated() == 2
    body = resp.json_body
    assert body["month"] == month and body["provisional"] is False and body["min_count"] == 5
    sikayet = _row(body["rows"], district="34-maltepe", type="sikayet")
    assert sikayet["received"] == 6 and sikayet["concluded"] == 5 and sikayet["on_time_share"] == 100.0
    assert sikayet["median_days"] == 0 and sikayet["survey_average"] is None     # one answer: not shown
    assert _row(body["rows"], district="34-maltepe", type="ihbar")["received"] is None
    assert _row(body["rows"], district="34-maltepe", type="talep")["received"] is None   # 12 - 6 would tell 1
    assert _row(body["rows"], district="34-maltepe", type="all")["received"] == 12
    assert _row(body["rows"], district="34-kadikoy", type="all")["received"] == 0

    aws_calls.reset()
    latest = client.http.get("/v1/stats").json_body
    assert aws_calls.operations("dynamodb") == ["GetItem", "GetItem"] and aws_calls.items_evaluated() == 2
    assert _row(latest["rows"], level="national", type="all")["received"] == 12
    assert _row(latest["rows"], level="province", province="34", type="all")["received"] == 12
    assert {"month": month, "provisional": False} in latest["months"]

    csv_resp = client.http.get(f"/v1/stats?month={month}&province=34&format=csv")
    assert csv_resp.status_code == 200 and csv_resp.headers["Content-Type"].startswith("text/csv")
    text = csv_resp.body.decode("utf-8") if isinstance(csv_resp.body, bytes) else csv_resp.body
    assert text.startswith("\ufeffay,düzey") and "Maltepe" in text and "İstek / Talep" in text and "Şikâyet" in text

    published = boto3.client("dynamodb", region_name="eu-central-1").scan(TableName=aws["MAIN_TABLE"])["Items"]
    stats_items = json.dumps([i for i in published if i["pk"]["S"].startswith(("MSTATS", "OPENSTATS"))],
                             ensure_ascii=False)
    assert stats_items and not any(s in stats_items for s in SECRETS)


def test_bad_parameters_are_400_naming_the_field_and_an_unpublished_month_404(client, aws):
    for query, field in (("month=2026-13", "month"), ("province=xx", "province"), ("format=pdf", "format")):
        r = client.http.get(f"/v1/stats?{query}")
        assert r.status_code == 400 and r.json_body["error"]["field"] == field, query
        assert r.json_body["error"]["message"][0].isupper()
    empty = client.http.get("/v1/stats")
    assert empty.status_code == 200 and empty.json_body["rows"] == [] and empty.json_body["month"] is None
    submit(client, VALID_APPLICATION)
    _roll_up()
    assert client.http.get("/v1/stats?month=2020-01").status_code == 404


def test_a_survey_answer_is_counted_once_even_when_sent_twice(client, staff, aws):
    receipt = _concluded(client, staff, aws, VALID_APPLICATION)
    token = tracked(client, receipt)["survey_token"]
    for expected in (201, 409):
        r = client.http.post("/v1/surveys", headers={**H, "X-Survey-Token": token}, body=json.dumps({"rating": 3}))
        assert r.status_code == expected, r.body
    from chalicelib.bootstrap import ports
    month = datetime.now(timezone.utc).strftime("%Y-%m")
    [(district, case_type, counts)] = ports().statistics.month_cells(month)
    assert counts["survey_n"] == 1 and counts["survey_sum"] == 3 and counts["received"] == 1
