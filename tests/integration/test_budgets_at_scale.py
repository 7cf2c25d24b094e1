"""Reads that must not grow with history (issue 13): the dashboard and the queue, with
4,000 closed and 50 open cases in one district. Budgets count the items DynamoDB
evaluates (ScannedCount), not only those it returns, so a FilterExpression that walks a
whole partition cannot hide."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from chalicelib.domain.case import Applicant, Case, HistoryEntry, Status

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


def _case(i: int, status: Status) -> Case:
    received = T0 - timedelta(days=i % 300)
    no = f"{i:010d}"
    return Case(application_no=no, access_code_hash="h", type="sikayet" if i % 2 else "talep", law="3071",
                category="yol_kaldirim", district="34-maltepe", province="34", subject=f"Konu {i}",
                description="Açıklama metni", applicant=Applicant("10000000146", "Ayşe", "Yılmaz", "+905321234567",
                                                                 "Adres satırı"),
                channel="web", received_at=received, receipt_date=received.date(),
                legal_due_date=received.date() + timedelta(days=30), status=status,
                history=[HistoryEntry(received, Status.RECEIVED, "alındı")], recorded_at=received,
                institutions=[{"id": "34-maltepe.belediye", "name": "Maltepe Belediye Başkanlığı", "forward_id": 1}],
                concluded_at=received + timedelta(days=10) if status == Status.CONCLUDED else None)


@pytest.fixture
def district_with_history(aws):
    from chalicelib.adapters.dynamodb.models import CaseItem
    from chalicelib.adapters.dynamodb.mapping import case_to_item
    from chalicelib.bootstrap import ports
    keys = ports().keys
    with CaseItem.batch_write() as batch:
        for i in range(4_000):
            batch.save(case_to_item(_case(i, Status.CONCLUDED), keys))
        for i in range(4_000, 4_050):
            batch.save(case_to_item(_case(i, Status.FORWARDED if i % 3 else Status.IN_REVIEW), keys))
    return aws


def _warm(client, staff, aws_calls):
    """The authorizer reads the staff member's directory record once a minute per
    container; read it first, so the budget below is the route's own."""
    assert client.http.get("/v1/staff/me", headers=staff.headers("masa.maltepe")).status_code == 200
    aws_calls.reset()


def _get(client, staff, path):
    r = client.http.get(path, headers=staff.headers("masa.maltepe"))
    assert r.status_code == 200, r.body
    return r.json_body


FILTERS = ["", "&overdue=1", "&type=talep", "&institution=34-maltepe.belediye", "&from=2025-06-01&to=2025-12-31",
           "&category=yol_kaldirim&type=sikayet"]


def test_the_dashboard_and_the_queue_never_walk_closed_history(client, staff, district_with_history, aws_calls):
    """One district, one fixture (4,050 items take a while to write): every read in turn."""
    _warm(client, staff, aws_calls)
    _get(client, staff, "/v1/staff/dashboard")
    assert aws_calls.items_evaluated() <= 2 and aws_calls.operations("dynamodb") == ["GetItem"]

    for filters in FILTERS:
        aws_calls.reset()
        page = _get(client, staff, f"/v1/staff/cases?district=34-maltepe&limit=25{filters}")
        assert page["items"] and all(i["status"] in ("forwarded", "in_review") for i in page["items"]), filters
        # bounded by the 50 open cases (exactly the page when nothing is filtered), never the 4,000 closed
        assert aws_calls.items_evaluated() <= (25 if not filters else 50), filters
        assert set(aws_calls.operations("dynamodb")) == {"Query"}, filters

    aws_calls.reset()     # an open status: a filter over the open cases (the closed-only status index holds none)
    page = _get(client, staff, "/v1/staff/cases?district=34-maltepe&status=in_review&limit=25")
    in_review = sum(1 for i in range(4_000, 4_050) if not i % 3)
    assert len(page["items"]) == in_review and {i["status"] for i in page["items"]} == {"in_review"}
    assert aws_calls.items_evaluated() <= 50 and set(aws_calls.operations("dynamodb")) == {"Query"}

    aws_calls.reset()
    page = _get(client, staff, "/v1/staff/cases?district=34-maltepe&status=concluded&limit=25")
    assert len(page["items"]) == 25 and page["next_cursor"]
    assert aws_calls.items_evaluated() == 25                           # one status: an exact index read
    aws_calls.reset()
    _get(client, staff, f"/v1/staff/cases?district=34-maltepe&status=concluded&limit=25&cursor={page['next_cursor']}")
    assert aws_calls.items_evaluated() == 25

    from chalicelib.bootstrap import ports
    rebuilt = ports().statistics.rebuild_district("34-maltepe", date(2026, 1, 5))
    forwarded = sum(1 for i in range(4_000, 4_050) if i % 3)
    assert rebuilt.status == {"concluded": 4_000, "forwarded": forwarded, "in_review": 50 - forwarded}
    assert ports().statistics.district("34-maltepe").status == rebuilt.status


def test_an_open_cases_status_changes_move_no_status_index_copy(aws):
    """by_district_status holds closed cases only: while a case is open its status
    changes on every step, and each change would move its copy in that index (2 WRU)."""
    from chalicelib.adapters.dynamodb.mapping import case_to_item
    from chalicelib.bootstrap import ports
    for status in (Status.RECEIVED, Status.FORWARDED, Status.IN_REVIEW):
        item = case_to_item(_case(1, status), ports().keys)
        assert item.gsi2pk is None and item.gsi1pk == "D#34-maltepe"
    for status in (Status.CONCLUDED, Status.NOT_PROCESSED):
        item = case_to_item(_case(1, status), ports().keys)
        assert item.gsi2pk == f"D#34-maltepe#{status.value}" and item.gsi1pk is None


def test_the_operator_rebuilds_every_districts_counters(aws):
    """Cases written without the counters (here, straight into the table) are counted."""
    from chalicelib.adapters.dynamodb.models import CaseItem
    from chalicelib.adapters.dynamodb.mapping import case_to_item
    from chalicelib.bootstrap import ports
    from tools.ops import rebuild_stats
    with CaseItem.batch_write() as batch:
        for i in range(7):
            batch.save(case_to_item(_case(i, Status.CONCLUDED if i < 4 else Status.FORWARDED), ports().keys))
    assert ports().statistics.district("34-maltepe").status == {}
    result = rebuild_stats(aws["MAIN_TABLE"])
    assert result["34-maltepe"] == {"concluded": 4, "forwarded": 3}
    assert ports().statistics.district("34-maltepe").status == {"concluded": 4, "forwarded": 3}


def test_a_phone_code_for_a_person_with_5000_applications_is_one_keyed_read(client, aws, aws_calls):
    """Issue 39: a code request read every case of the national id with its personal data
    (61 calls and 10,004 items evaluated at 5,000). The request takes two counters and
    queues; the routing worker reads the pair's item once."""
    import json

    from chalicelib.adapters.dynamodb.itemkeys import pair_key
    from chalicelib.adapters.dynamodb.mapping import case_to_item
    from chalicelib.adapters.dynamodb.models import CaseItem, PairItem
    from chalicelib.bootstrap import ports
    from chalicelib.domain.otp import pair_fingerprint
    from tests.integration.helpers import H, drain, outbox, run_routing, route_all
    keys = ports().keys
    cases = [_case(i, Status.CONCLUDED) for i in range(5_000)]
    with CaseItem.batch_write() as batch:
        for c in cases:
            batch.save(case_to_item(c, keys))
    PairItem(*pair_key(pair_fingerprint(keys, "10000000146", "+905321234567")),
             nos={c.application_no for c in cases}).save()
    aws_calls.reset()
    r = client.http.post("/v1/citizen/otp", headers=H, body=json.dumps({"national_id": "10000000146",
                                                                         "phone": "0532 123 45 67"}))
    assert r.status_code == 202
    assert aws_calls.operations("dynamodb") == ["UpdateItem", "UpdateItem"] and aws_calls.items_evaluated() <= 2
    msgs = drain(aws["ROUTING_QUEUE_URL"])
    aws_calls.reset()
    assert run_routing(msgs) == {"batchItemFailures": []}
    reads = [op for op in aws_calls.operations("dynamodb") if op in ("GetItem", "Query", "BatchGetItem", "Scan")]
    assert reads == ["GetItem"] and aws_calls.items_evaluated() <= 4        # the pair, and the caps' updates
    route_all(aws)
    assert [m for m in outbox()["sms"] if "doğrulama kodunuz" in m["body"]]


def _onboard_the_country(aws):
    """Every office set up and onboarded and every place's institutions stored (what a
    national import leaves), written in batches."""
    from chalicelib.adapters.dynamodb import itemkeys as K
    from chalicelib.adapters.dynamodb.mapping import district_to_item, office_to_item
    from chalicelib.adapters.dynamodb.models import DistrictRefItem, OfficeItem, RegistryItem
    from chalicelib.bootstrap import ports
    from chalicelib.domain.catalog import catalog
    from chalicelib.domain.offices import NATIONAL, Office
    from chalicelib.services import reference
    p = ports()
    with OfficeItem.batch_write() as batch:
        for code, ref in catalog().offices.items():
            if code not in (NATIONAL, "34-maltepe", "06-cankaya"):
                o = Office.standard(ref)
                o.email, o.onboarded = f"acikkapi@{code}.example", True
                batch.save(office_to_item(o))
    with DistrictRefItem.batch_write() as batch:
        for code in catalog().districts:
            if p.reference.district(code) is None:
                batch.save(district_to_item(reference.standard_place(code)))
    RegistryItem(*K.REGISTRY_KEY).update(actions=[RegistryItem.offices.add(set(catalog().offices) - {NATIONAL})])
    reference.forget_onboarded(p)


def test_routing_the_queue_the_dashboard_and_a_digest_read_the_same_with_two_offices_or_all(client, staff, aws,
                                                                                           application, aws_calls):
    """Issue 37: 1,003 offices and 1,054 places' institutions (about 15,000) change nothing
    of what one application's routing, one queue page, one dashboard or one office's digest
    reads."""
    from chalicelib.bootstrap import ports
    from chalicelib.services import reference
    from chalicelib.services import sweeps
    from tests.integration.helpers import drain, run_routing, submit

    def measure(national_id):        # another applicant each time: no earlier application to compare with
        reference.forget_onboarded(ports())
        submit(client, {**application, "applicant": {**application["applicant"], "national_id": national_id}})
        msgs = drain(aws["ROUTING_QUEUE_URL"])
        aws_calls.reset()
        run_routing(msgs)
        routed = (aws_calls.operations("dynamodb"), aws_calls.items_evaluated())
        _warm(client, staff, aws_calls)
        assert client.http.get("/v1/staff/cases?limit=25", headers=staff.headers("masa.maltepe")).status_code == 200
        queue = (aws_calls.operations("dynamodb"), aws_calls.items_evaluated())
        aws_calls.reset()
        assert client.http.get("/v1/staff/dashboard", headers=staff.headers("masa.maltepe")).status_code == 200
        dash = (aws_calls.operations("dynamodb"), aws_calls.items_evaluated())
        aws_calls.reset()
        from datetime import date
        sweeps.district_digest(ports(), "34-maltepe", date.today())
        digest = (aws_calls.operations("dynamodb"), aws_calls.items_evaluated())
        return routed, queue, dash, digest

    two = measure("10000000146")
    _onboard_the_country(aws)
    everyone = measure("12345678950")
    for (ops_two, items_two), (ops_all, items_all), what in zip(two, everyone, ("routing", "queue", "dashboard",
                                                                              "digest")):
        assert ops_all == ops_two, what
        assert items_all <= items_two + 1, what      # the queue page holds one case more the second time
    assert two[0][0].count("TransactGetItems") == 1                          # case, place, province, office: one read


# --- issue 39: a district with 2,000 open cases ---------------------------------------

NOW = datetime.now(timezone.utc).replace(microsecond=0)
_NOS: list[str] = []


def _number(i: int) -> str:
    from chalicelib.domain import numbers
    while len(_NOS) <= i:
        _NOS.append(numbers.new_application_no())
    return _NOS[i]


def _open_case(i: int) -> Case:
    """Open cases received over the last 28 days (about 71 a day), none overdue but the
    first 20 (received 40 days ago); one in 200 a `talep`, the rest complaints."""
    from chalicelib.domain.calendar import default_calendar, local_date
    received = NOW - timedelta(days=40 if i < 20 else 1 + (i % 28), hours=i % 7)
    case = _case(i, Status.FORWARDED)
    case.application_no = _number(i)
    case.type = "talep" if i % 200 == 7 else "sikayet"
    case.received_at, case.receipt_date = received, local_date(received)
    case.legal_due_date = default_calendar().legal_due_3071(case.receipt_date)
    case.concluded_at = None
    return case


@pytest.fixture
def busy_district(aws):
    from chalicelib.adapters.dynamodb.mapping import case_to_item
    from chalicelib.adapters.dynamodb.models import CaseItem
    from chalicelib.bootstrap import ports
    keys = ports().keys
    with CaseItem.batch_write() as batch:
        for i in range(2_000):
            batch.save(case_to_item(_open_case(i), keys))
    return aws


def test_with_2000_open_cases_a_page_the_related_view_and_the_digest_read_a_bounded_part(
        client, staff, busy_district, aws_calls):
    from chalicelib.bootstrap import ports
    from chalicelib.domain.calendar import local_date
    from chalicelib.services import sweeps
    from chalicelib.services.ports import QUEUE_EVALUATED_PER_PAGE
    _warm(client, staff, aws_calls)
    # a selective filter: 10 of 2,000 match; each page reads at most the bound, and says so
    pages, found, cursor = 0, [], ""
    while True:
        aws_calls.reset()
        page = _get(client, staff, f"/v1/staff/cases?district=34-maltepe&type=talep&limit=25{cursor}")
        pages += 1
        assert aws_calls.items_evaluated() <= QUEUE_EVALUATED_PER_PAGE
        assert aws_calls.count("dynamodb", "Query") <= QUEUE_EVALUATED_PER_PAGE // 100
        found += page["items"]
        if not page["next_cursor"]:
            break
        assert page["partial"] is True
        cursor = f"&cursor={page['next_cursor']}"
    assert len(found) == 10 and {i["type"] for i in found} == {"talep"} and pages == 4

    # the related view: cases of the last 30 days, never the older open ones
    from chalicelib.domain.numbers import format_application_no
    aws_calls.reset()
    _get(client, staff, f"/v1/staff/cases/{format_application_no(_number(100))}/related")
    assert aws_calls.count("dynamodb", "Scan") == 0
    assert aws_calls.items_evaluated() < 2_000 * 3 // 4, aws_calls.items_evaluated()

    # the digest: the 20 overdue it lists, and yesterday's new ones through their due-date
    # windows (one per law: each window also holds a few days of the other law's intake, and
    # a weekend or holiday widens it), never the 2,000 open cases
    aws_calls.reset()
    assert sweeps.district_digest(ports(), "34-maltepe", local_date(NOW))
    per_day = 2_000 // 28
    assert aws_calls.items_evaluated() <= 20 + 6 * per_day, aws_calls.items_evaluated()
