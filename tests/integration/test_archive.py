"""Tiering (issue 39): a closed case a year old leaves the table for one compressed S3
object and a small index item, reads the same for everyone, comes back on a write, and is
destroyed with every copy at its retention end. On moto, over the routes."""
from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone

import boto3
import pytest

from chalicelib.domain.numbers import normalise_application_no
from tests.integration.helpers import H, act, detail, tracked
from tests.integration.test_kvkk import SECRETS, _concluded_case, _everything, _kvkk_sweep

REGION = "eu-central-1"
YEAR_ON = timedelta(days=400)
# what only the file holds: the sealed personal data, the access code's hash, the history
FILE_ONLY = {"applicant_enc", "description_enc", "access_hash", "log_z", "place_enc", "location_enc", "final_answer"}


def _size(items) -> int:
    """Bytes DynamoDB bills for these items: names and values (binary as its bytes)."""
    def value(v) -> int:
        (kind, x), = v.items()
        if kind in ("M", "L"):
            return 3 + sum(value(y) + (len(k) if kind == "M" else 0)
                           for k, y in (x.items() if kind == "M" else enumerate(x)))
        return len(x) if isinstance(x, bytes) else len(str(x).encode("utf-8"))
    return sum(len(k) + value(v) for i in items for k, v in i.items())


def _archive_run(at, **kw):
    from chalicelib.bootstrap import ports
    from chalicelib.services import archive
    return archive.sweep(ports(), at, **kw)


def _partition(aws, no) -> list[dict]:
    ddb = boto3.client("dynamodb", region_name=REGION)
    return ddb.query(TableName=aws["MAIN_TABLE"], KeyConditionExpression="pk = :p",
                     ExpressionAttributeValues={":p": {"S": f"CASE#{no}"}}, ConsistentRead=True)["Items"]


def _objects(aws, no) -> list[str]:
    s3 = boto3.client("s3", region_name=REGION)
    return [o["Key"] for o in s3.list_objects_v2(Bucket=aws["ATTACHMENTS_BUCKET"],
                                                 Prefix=f"archive/cases/{no}/").get("Contents", [])]


def _views(client, staff, receipt) -> dict:
    """What each reader sees of the case: the citizen's tracking and own copy, the office's
    case view and closed queue, her phone session's list."""
    no = receipt["application_no"]
    track = tracked(client, receipt)
    track.pop("survey_token")                      # signed anew on every read
    mine = client.http.get(f"/v1/applications/{no}/data", headers={"X-Access-Code": receipt["access_code"]})
    assert mine.status_code == 200, mine.body
    copy = mine.json_body
    copy.pop("generated_at")
    queue = client.http.get("/v1/staff/cases?status=concluded", headers=staff.headers("masa.maltepe")).json_body
    return {"track": track, "copy": copy, "case": detail(client, staff, no, user="sorumlu.maltepe"),
            "queue": queue["items"]}


def _unsigned(view):
    """The view with its download links cut at the signature (signed anew on every read)."""
    if isinstance(view, dict):
        return {k: (v.split("?", 1)[0] if k == "url" and isinstance(v, str) else _unsigned(v)) for k, v in view.items()}
    if isinstance(view, list):
        return [_unsigned(v) for v in view]
    return view


def _session_list(client, aws) -> list[dict]:
    from tests.integration.test_citizen_session_http import PERSON, _code
    assert client.http.post("/v1/citizen/otp", headers=H, body=json.dumps(PERSON)).status_code == 202
    session = client.http.post("/v1/citizen/session", headers=H, body=json.dumps({**PERSON, "code": _code(aws)}))
    assert session.status_code == 200, session.body
    listed = client.http.get("/v1/citizen/applications",
                             headers={"Authorization": f"Bearer {session.json_body['token']}"})
    assert listed.status_code == 200, listed.body
    return listed.json_body["applications"]


def test_a_case_closed_a_year_ago_leaves_one_object_and_an_index_item_and_reads_the_same(client, staff,
                                                                                         application, aws):
    receipt = _concluded_case(client, staff, application, aws)
    no = normalise_application_no(receipt["application_no"])
    before, listed_before = _views(client, staff, receipt), _session_list(client, aws)
    before_items = _partition(aws, no)
    [case_before] = [i for i in before_items if i["sk"]["S"] == "CASE"]
    assert len(before_items) == 2                                        # the case and its assignment

    # not within the year
    assert _archive_run(datetime.now(timezone.utc) + timedelta(days=300)) == {"archived": 0, "not_archived": 0}
    assert _archive_run(datetime.now(timezone.utc) + YEAR_ON) == {"archived": 1, "not_archived": 0}

    [stub] = _partition(aws, no)
    assert stub["sk"]["S"] == "CASE" and FILE_ONLY.isdisjoint(stub)
    assert _size([stub]) < _size(before_items) / 3
    assert stub["version"] == case_before["version"]
    assert _objects(aws, no) == [f"archive/cases/{no}/v{case_before['version']['N']}.json.z"]

    after, listed_after = _views(client, staff, receipt), _session_list(client, aws)
    assert _unsigned(after) == _unsigned(before)
    assert listed_after == listed_before and [a["application_no"] for a in listed_after] == [
        receipt["application_no"]]

    # a second run finds nothing to move, and the object stays as it was
    assert _archive_run(datetime.now(timezone.utc) + YEAR_ON) == {"archived": 0, "not_archived": 0}
    assert len(_objects(aws, no)) == 1


def test_a_write_brings_the_case_back_and_a_later_run_archives_it_again(client, staff, application, aws):
    receipt = _concluded_case(client, staff, application, aws, with_everything=False)
    no = normalise_application_no(receipt["application_no"])
    assert _archive_run(datetime.now(timezone.utc) + YEAR_ON)["archived"] == 1
    seen = detail(client, staff, no, user="sorumlu.maltepe")

    # a lawsuit, a year on: the supervisor keeps the file from destruction
    r = act(client, staff, no, "legal-hold", {"reason": "Dava açıldı; dosya mahkemeye sunulacak."},
            user="sorumlu.maltepe")
    assert r.status_code == 200, r.body
    items = _partition(aws, no)
    assert sorted(i["sk"]["S"] for i in items) == ["ASSIGN#34-maltepe.belediye", "CASE"]
    assert not any("archive_key" in i for i in items) and _objects(aws, no) == []
    now_seen = detail(client, staff, no, user="sorumlu.maltepe")
    assert now_seen["version"] == seen["version"] + 1 and now_seen["legal_hold"]
    assert now_seen["assignments"] == seen["assignments"]

    # held: it stays in the table; released: the next run archives it again, under its new version
    assert _archive_run(datetime.now(timezone.utc) + YEAR_ON)["archived"] == 0
    r = act(client, staff, no, "release-hold", {"reason": "Dava sonuçlandı; saklama gerekmiyor."},
            user="sorumlu.maltepe")
    assert r.status_code == 200, r.body
    assert _archive_run(datetime.now(timezone.utc) + YEAR_ON)["archived"] == 1
    version = detail(client, staff, no, user="sorumlu.maltepe")["version"]
    assert _objects(aws, no) == [f"archive/cases/{no}/v{version}.json.z"]


def test_a_write_read_before_the_case_was_archived_is_refused_and_nothing_is_lost(client, staff, application,
                                                                                   aws):
    from chalicelib.bootstrap import ports
    from chalicelib.services.ports import StaleCase
    receipt = _concluded_case(client, staff, application, aws, with_everything=False)
    no = normalise_application_no(receipt["application_no"])
    repo = ports().cases
    case, assignments = repo.load_with_assignments(no)               # read while it is in the table
    assert repo.archive_case(no, datetime.now(timezone.utc) + YEAR_ON)
    case.add_note(datetime.now(timezone.utc), "Dosya incelendi.", actor="sorumlu.maltepe")
    with pytest.raises(StaleCase):
        repo.commit(case, assignments)                               # it would write over the index item
    assert len(_partition(aws, no)) == 1 and len(_objects(aws, no)) == 1

    case, assignments = repo.load_with_assignments(no)               # read again: from the archive
    assert [a.institution.id for a in assignments] == ["34-maltepe.belediye"]
    case.add_note(datetime.now(timezone.utc), "Dosya incelendi.", actor="sorumlu.maltepe")
    repo.commit(case, assignments)
    assert len(_partition(aws, no)) == 2 and _objects(aws, no) == []
    again, _ = repo.load_with_assignments(no)
    assert again.history[-1].note == "Dosya incelendi." and again.version == case.version


def test_two_runs_at_once_archive_a_case_once(client, staff, application, aws):
    from chalicelib.bootstrap import ports
    receipt = _concluded_case(client, staff, application, aws, with_everything=False)
    no = normalise_application_no(receipt["application_no"])
    at = datetime.now(timezone.utc) + YEAR_ON
    barrier, results = threading.Barrier(2), []

    def run():
        barrier.wait()
        results.append(ports().cases.archive_case(no, at))
    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, True]
    assert len(_partition(aws, no)) == 1 and len(_objects(aws, no)) == 1
    assert tracked(client, receipt)["status"] == "concluded"


def test_an_archived_case_is_destroyed_at_its_retention_end_with_every_copy(client, staff, application, aws):
    receipt = _concluded_case(client, staff, application, aws)
    no = normalise_application_no(receipt["application_no"])
    assert _archive_run(datetime.now(timezone.utc) + YEAR_ON)["archived"] == 1
    held = _everything(aws)      # the archived object, opened, holds what the table no longer does
    assert [s for s in SECRETS if s not in held] == ["532 123 45 67"]

    result = _kvkk_sweep(datetime.now(timezone.utc) + timedelta(days=365 * 11))
    assert result["cases"] == 1 and result["records"] >= 3
    assert [s for s in SECRETS if s in _everything(aws)] == []
    assert _objects(aws, no) == []
    view = detail(client, staff, no, user="sorumlu.maltepe")
    assert view["status"] == "concluded" and view["applicant"]["first_name"] == "" and view["final_answer"] is None
    assert [a["institution_name"] for a in view["assignments"]] == ["Maltepe Belediye Başkanlığı"]
    gone = client.http.get(f"/v1/applications/{no}", headers={"X-Access-Code": receipt["access_code"]})
    assert gone.status_code == 410


def test_the_archive_run_reads_what_it_moves_never_the_history(client, aws, aws_calls):
    """4,000 cases closed within the year and 20 closed 13 months ago: a run evaluates
    the 20 and their own items; the next run evaluates nothing it archived."""
    from chalicelib.adapters.dynamodb.models import CaseItem
    from tests.integration.helpers import closed_case_item as closed_case
    now = datetime.now(timezone.utc)
    with CaseItem.batch_write() as batch:
        for i in range(4_000):
            batch.save(closed_case(now - timedelta(days=i % 360)))
        for i in range(20):
            batch.save(closed_case(now - timedelta(days=400 + i)))
    aws_calls.reset()
    assert _archive_run(now) == {"archived": 20, "not_archived": 0}
    # the due keys (8 shards), then each case's partition, its stub and delete
    assert aws_calls.items_evaluated() <= 20 + 20
    assert "Scan" not in aws_calls.operations("dynamodb")
    aws_calls.reset()
    assert _archive_run(now) == {"archived": 0, "not_archived": 0}
    assert aws_calls.items_evaluated() == 0
    # a run is bounded: the limit, shared among the shards
    with CaseItem.batch_write() as batch:
        for i in range(40):
            batch.save(closed_case(now - timedelta(days=420 + i)))
    runs = []
    while not runs or runs[-1]:
        runs.append(_archive_run(now, limit=16)["archived"])
    assert max(runs) <= 16 and sum(runs) == 40


def test_a_page_of_archived_cases_reads_each_and_a_reader_that_lost_the_object_reads_the_table(client, staff,
                                                                                              application, aws):
    """Several archived cases in one read are read side by side, each as it was; a reader
    that holds an index item while a write brings the case back (and deletes the object)
    reads the case from the table."""
    from chalicelib.adapters.dynamodb.models import CaseItem
    from chalicelib.bootstrap import ports
    repo = ports().cases
    nos = [normalise_application_no(_concluded_case(client, staff, application, aws,
                                                    with_everything=False)["application_no"]) for _ in range(3)]
    before = {no: repo.get_public(no) for no in nos}
    assert _archive_run(datetime.now(timezone.utc) + YEAR_ON)["archived"] == 3
    assert {c.application_no: c for c in repo.cases_public(nos)} == before
    mine = {c.application_no: c for c in repo.cases_of_applicant("10000000146")}
    assert set(nos) <= set(mine) and {mine[no].applicant.last_name for no in nos} == {"Yılmaz"}

    stub = CaseItem.get(f"CASE#{nos[0]}", "CASE", consistent_read=True)
    case, assignments = repo.load_with_assignments(nos[0])
    case.add_note(datetime.now(timezone.utc), "Dosya yeniden incelendi.", actor="sorumlu.maltepe")
    repo.commit(case, assignments)
    assert _objects(aws, nos[0]) == []
    read, read_assignments = repo._archived(stub.pk, stub.archive_key, stub.version)
    assert read.history[-1].note == "Dosya yeniden incelendi." and len(read_assignments) == 1
