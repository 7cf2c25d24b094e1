"""The local stack's moto holds what the tables and queues hold, not every object it ever
made: moto's dashboard list of model instances is turned off (S3's stays, for its reset)."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import os, sys, boto3
os.environ.update(AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x", AWS_DEFAULT_REGION="eu-central-1")
from moto import mock_aws
from moto.core.model_instances import model_data
if sys.argv[1] == "local":
    from devstack.motoserver import stop_tracking_model_instances
    stop_tracking_model_instances()
with mock_aws():
    d, s = boto3.client("dynamodb"), boto3.client("sqs")
    d.create_table(TableName="t", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    q = s.create_queue(QueueName="q")["QueueUrl"]
    boto3.client("s3").create_bucket(Bucket="local-bucket", CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    boto3.client("s3").put_object(Bucket="local-bucket", Key="k", Body=b"x")
    for i in range(50):
        d.put_item(TableName="t", Item={"pk": {"S": "same"}, "n": {"N": str(i)}})
        d.update_item(TableName="t", Key={"pk": {"S": "same"}}, UpdateExpression="SET m = :m",
                      ExpressionAttributeValues={":m": {"N": "1"}})
        s.send_message(QueueUrl=q, MessageBody="x")
        for m in s.receive_message(QueueUrl=q).get("Messages", []):
            s.delete_message(QueueUrl=q, ReceiptHandle=m["ReceiptHandle"])
    print(len(model_data["dynamodb"]["Item"].instances_tracked), len(model_data["sqs"]["Message"].instances_tracked),
          len(model_data["s3"]["FakeKey"].instances_tracked))
"""


def _held(mode):
    out = subprocess.run([sys.executable, "-c", SCRIPT, mode], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    return [int(x) for x in out.stdout.split()]


def test_one_item_rewritten_fifty_times_and_fifty_deleted_messages_are_not_kept():
    items, messages, s3_keys = _held("local")
    assert items == 0 and messages == 0      # plain moto keeps every version and every message
    assert s3_keys >= 1                      # S3 disposes of its keys' temporary files through this list


def test_plain_moto_keeps_them():
    items, messages, _ = _held("plain")
    assert items >= 100 and messages >= 50   # what the local stack turns off: if moto stops, this says so


def _table(d):
    d.create_table(TableName="parts", BillingMode="PAY_PER_REQUEST",
                   KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                   AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("pk", "sk", "g", "gs")],
                   GlobalSecondaryIndexes=[{"IndexName": "by_g", "Projection": {"ProjectionType": "ALL"},
                                            "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                                          {"AttributeName": "gs", "KeyType": "RANGE"}]}])


def _in(d, g):
    r = d.query(TableName="parts", IndexName="by_g", KeyConditionExpression="g = :g",
                ExpressionAttributeValues={":g": {"S": g}})
    return sorted(i["pk"]["S"] for i in r["Items"]), r["ScannedCount"]


def test_queries_read_their_partition_and_follow_every_kind_of_write():
    """The local stack's moto answers a Query from the partition's items only; whatever
    moves an item in or out of an index partition (put, update, remove, delete,
    transaction, batch) is followed, including items written before the first Query."""
    import boto3
    from moto import mock_aws
    with mock_aws():
        d = boto3.client("dynamodb", region_name="eu-central-1")
        _table(d)
        for i in range(30):                      # before the first Query: found when it builds
            d.put_item(TableName="parts", Item={"pk": {"S": f"p{i:02d}"}, "sk": {"S": "x"},
                                                 "g": {"S": "even" if i % 2 == 0 else "odd"}, "gs": {"S": f"{i:02d}"}})
        assert _in(d, "even") == ([f"p{i:02d}" for i in range(0, 30, 2)], 15)
        d.update_item(TableName="parts", Key={"pk": {"S": "p00"}, "sk": {"S": "x"}}, UpdateExpression="SET g = :o",
                      ExpressionAttributeValues={":o": {"S": "odd"}})
        d.update_item(TableName="parts", Key={"pk": {"S": "p02"}, "sk": {"S": "x"}}, UpdateExpression="REMOVE g")
        d.delete_item(TableName="parts", Key={"pk": {"S": "p04"}, "sk": {"S": "x"}})
        d.transact_write_items(TransactItems=[
            {"Put": {"TableName": "parts", "Item": {"pk": {"S": "t1"}, "sk": {"S": "x"}, "g": {"S": "even"},
                                                    "gs": {"S": "99"}}}},
            {"Update": {"TableName": "parts", "Key": {"pk": {"S": "p06"}, "sk": {"S": "x"}},
                        "UpdateExpression": "SET g = :n", "ExpressionAttributeValues": {":n": {"S": "new"}}}}])
        d.batch_write_item(RequestItems={"parts": [
            {"PutRequest": {"Item": {"pk": {"S": "b1"}, "sk": {"S": "x"}, "g": {"S": "new"}, "gs": {"S": "01"}}}},
            {"DeleteRequest": {"Key": {"pk": {"S": "p08"}, "sk": {"S": "x"}}}}]})
        d.put_item(TableName="parts", Item={"pk": {"S": "p10"}, "sk": {"S": "x"}})      # replaced without g
        even, scanned = _in(d, "even")
        assert even == sorted([f"p{i:02d}" for i in range(12, 30, 2)] + ["t1"]) and scanned == len(even)
        assert _in(d, "new") == (["b1", "p06"], 2)
        assert _in(d, "odd")[0] == sorted(["p00"] + [f"p{i:02d}" for i in range(1, 30, 2)])
        # a failed transaction moves nothing
        from botocore.exceptions import ClientError
        with pytest.raises(ClientError):
            d.transact_write_items(TransactItems=[
                {"Update": {"TableName": "parts", "Key": {"pk": {"S": "p12"}, "sk": {"S": "x"}},
                            "UpdateExpression": "SET g = :n", "ExpressionAttributeValues": {":n": {"S": "new"}}}},
                {"ConditionCheck": {"TableName": "parts", "Key": {"pk": {"S": "nope"}, "sk": {"S": "x"}},
                                    "ConditionExpression": "attribute_exists(pk)"}}])
        assert "p12" in _in(d, "even")[0] and _in(d, "new") == (["b1", "p06"], 2)
        # the table's own key: one partition, not the table
        d.put_item(TableName="parts", Item={"pk": {"S": "p13"}, "sk": {"S": "y"}})
        r = d.query(TableName="parts", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p13"}})
        assert sorted(i["sk"]["S"] for i in r["Items"]) == ["x", "y"] and r["ScannedCount"] == 2


# --- a Query with a Limit reads only the run of its partition that moto walks --------------

from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_RANGES = st.text(alphabet="abc", min_size=1, max_size=3)          # short: ties and prefixes are common
_WRITES = st.lists(st.tuples(st.integers(0, 14), st.sampled_from(["x", "x", "x", "y"]), _RANGES,
                             st.sampled_from([False, False, False, True])),          # mostly puts: full pages
                   min_size=8, max_size=40)
_CONDITIONS = st.one_of(
    st.none(),
    st.tuples(st.sampled_from(["=", "<", "<=", ">", ">="]), _RANGES),
    st.tuples(st.just("between"), _RANGES, _RANGES),
    st.tuples(st.just("begins_with"), st.text(alphabet="abc", min_size=1, max_size=2)))


def _query_pages(d, table, g, condition, limit, forward):
    expression, values = "g = :g", {":g": {"S": g}}
    if condition is not None:
        op, *operands = condition
        values.update({f":v{i}": {"S": v} for i, v in enumerate(operands)})
        expression += {"between": " AND gs BETWEEN :v0 AND :v1", "begins_with": " AND begins_with(gs, :v0)"}.get(
            op, f" AND gs {op} :v0")
    pages, start = [], None
    for _ in range(60):
        kwargs = {"ExclusiveStartKey": start} if start else {}
        if limit is not None:
            kwargs["Limit"] = limit
        r = d.query(TableName=table, IndexName="by_g", KeyConditionExpression=expression,
                    ExpressionAttributeValues=values, ScanIndexForward=forward, **kwargs)
        pages.append(([(i["pk"]["S"], i["gs"]["S"]) for i in r["Items"]], r["ScannedCount"],
                      r.get("LastEvaluatedKey")))
        start = r.get("LastEvaluatedKey")
        if not start:
            break
    return _as_dynamodb_reads(pages)


def _as_dynamodb_reads(pages):
    """moto checks its 1 MB page size against every item it walks, matching or not, so an
    item *past* the range condition that would take the page over 1 MB ends it with a
    LastEvaluatedKey, and the next page is empty. DynamoDB never reads that item (a key
    condition reads only the items in its range), and neither does the local stack's
    window. The two read the same items; this drops moto's empty trailing page."""
    if len(pages) >= 2 and pages[-1] == ([], 0, None) and pages[-2][2] is not None:
        return pages[:-2] + [(pages[-2][0], pages[-2][1], None)]
    return pages


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@example(writes=[(0, "x", "a", False), (0, "x", "aa", False), (1, "x", "a", False), (2, "x", "a", False),
                 (3, "x", "a", False), (11, "x", "aa", False)],
         queries=[("x", ("=", "a"), None, True)] * 3)  # moto's page ends at an item past the range (see above)
@given(writes=_WRITES, queries=st.lists(st.tuples(st.sampled_from(["x", "y"]), _CONDITIONS,
                                                  st.one_of(st.none(), st.integers(1, 5)),
                                                  st.booleans()), min_size=3, max_size=8))
def test_a_limited_query_reads_the_same_pages_as_moto_over_the_whole_partition(writes, queries, monkeypatch):
    """The local stack hands moto only the run of the partition its walk reads (`_window`);
    moto over the whole partition is the oracle: the same items, counts and
    LastEvaluatedKey on every page (pages cut by Limit or by moto's 1 MB), after puts,
    moves between partitions and deletes."""
    import uuid

    import boto3
    from moto import mock_aws

    from devstack import motoserver
    motoserver.serialise_dynamodb_writes()
    with mock_aws():
        d = boto3.client("dynamodb", region_name="eu-central-1")
        table = f"w{uuid.uuid4().hex[:8]}"
        d.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                       KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                       AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("pk", "g", "gs")],
                       GlobalSecondaryIndexes=[{"IndexName": "by_g", "Projection": {"ProjectionType": "ALL"},
                                                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                                              {"AttributeName": "gs", "KeyType": "RANGE"}]}])
        d.query(TableName=table, IndexName="by_g", KeyConditionExpression="g = :g",
                ExpressionAttributeValues={":g": {"S": "x"}})          # partitions built now, then followed
        for n, g, gs, delete in writes:
            if delete:
                d.delete_item(TableName=table, Key={"pk": {"S": f"p{n:02d}"}})
            else:
                d.put_item(TableName=table, Item={"pk": {"S": f"p{n:02d}"}, "g": {"S": g}, "gs": {"S": gs},
                                                  "pad": {"S": "x" * (n % 4 * 120_000 + 1)}})   # 1 MB pages too
        for g, condition, limit, forward in queries:
            handed = []
            with monkeypatch.context() as m:
                window = motoserver._window
                m.setattr(motoserver, "_window", lambda *a: handed.append(window(*a)) or handed[-1])
                windowed = _query_pages(d, table, g, condition, limit, forward)
            assert handed and None not in handed         # answered from its window
            with monkeypatch.context() as m:
                m.setattr(motoserver, "_window", lambda *a, **k: None)
                whole = _query_pages(d, table, g, condition, limit, forward)
            assert windowed == whole, (g, condition, limit, forward)


@pytest.fixture
def handed(monkeypatch):
    """Every run `_window` hands moto, in order (None: the whole partition)."""
    from devstack import motoserver
    motoserver.serialise_dynamodb_writes()
    runs = []
    window = motoserver._window
    monkeypatch.setattr(motoserver, "_window", lambda *a: runs.append(window(*a)) or runs[-1])
    return runs


def test_a_limited_query_on_a_large_partition_hands_moto_only_its_page(handed):
    """The cost that made routing slow down with an applicant's history: moto sorted
    every item of the partition before taking the first 100."""
    import boto3
    from moto import mock_aws

    with mock_aws():
        d = boto3.client("dynamodb", region_name="eu-central-1")
        _table(d)
        for i in range(600):
            d.put_item(TableName="parts", Item={"pk": {"S": f"p{i:03d}"}, "sk": {"S": "x"}, "g": {"S": "one"},
                                                 "gs": {"S": f"2026-{i:04d}"}})
        r = d.query(TableName="parts", IndexName="by_g", KeyConditionExpression="g = :g",
                    ExpressionAttributeValues={":g": {"S": "one"}}, ScanIndexForward=False, Limit=100)
        assert [i["pk"]["S"] for i in r["Items"]] == [f"p{i:03d}" for i in range(599, 499, -1)]
        assert len(handed[-1]) == 101                          # the page and the one after it, not 600
        r = d.query(TableName="parts", IndexName="by_g", KeyConditionExpression="g = :g AND gs < :t",
                    ExpressionAttributeValues={":g": {"S": "one"}, ":t": {"S": "2026-0010"}}, Limit=25)
        assert r["Count"] == 10 and len(handed[-1]) == 11      # the ten due, and the first not due
        r = d.query(TableName="parts", IndexName="by_g", KeyConditionExpression="g = :g AND gs <= :t",
                    ExpressionAttributeValues={":g": {"S": "one"}, ":t": {"S": "2026-0004"}})    # a sweep: no Limit
        assert r["Count"] == 5 and len(handed[-1]) == 6


# --- SQS: each call walks only what it reads -------------------------------------------

_SQS_OPS = st.lists(st.one_of(
    st.tuples(st.just("send"), st.integers(0, 2)),                  # delay: none, or 1 s (still delayed)
    st.tuples(st.just("receive"), st.integers(1, 10), st.sampled_from([0, 60])),   # batch, visibility
    st.tuples(st.just("delete"), st.integers(0, 30)),               # the n-th handle received so far
    st.tuples(st.just("redelete"), st.integers(0, 30)),
    st.tuples(st.just("attributes"), st.sampled_from(
        [["All"], ["ApproximateNumberOfMessages"], ["ApproximateNumberOfMessagesNotVisible",
                                                     "ApproximateNumberOfMessagesDelayed"], ["QueueArn"]])),
), min_size=1, max_size=40)


def _run_sqs(ops) -> list:
    """Runs the operations on a fresh queue with a dead-letter queue (2 receives) and
    returns what a client sees: bodies received, errors, attributes (handles and ids are random)."""
    import boto3
    from botocore.exceptions import ClientError
    from moto import mock_aws

    with mock_aws():
        s = boto3.client("sqs", region_name="eu-central-1")
        dlq = s.create_queue(QueueName="dead")["QueueUrl"]
        dlq_arn = s.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        q = s.create_queue(QueueName="work", Attributes={"RedrivePolicy": json.dumps(
            {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "2"})})["QueueUrl"]
        seen, handles, sent = [], [], 0
        for op in ops:
            try:
                if op[0] == "send":
                    s.send_message(QueueUrl=q, MessageBody=f"m{sent}", DelaySeconds=60 if op[1] == 2 else 0)
                    sent += 1
                    seen.append("sent")
                elif op[0] == "receive":
                    got = s.receive_message(QueueUrl=q, MaxNumberOfMessages=op[1], VisibilityTimeout=op[2])
                    msgs = got.get("Messages", [])
                    handles += [m["ReceiptHandle"] for m in msgs]
                    seen.append(("received", [m["Body"] for m in msgs]))
                elif op[0] in ("delete", "redelete") and handles:
                    s.delete_message(QueueUrl=q, ReceiptHandle=handles[op[1] % len(handles)])
                    seen.append("deleted")
                elif op[0] == "attributes":
                    a = s.get_queue_attributes(QueueUrl=q, AttributeNames=op[1]).get("Attributes", {})
                    seen.append({k: v for k, v in a.items()
                                 if k not in ("QueueArn", "CreatedTimestamp", "LastModifiedTimestamp")}
                                | {"arn": "QueueArn" in a})
            except ClientError as e:
                seen.append(("error", e.response["Error"]["Code"]))
        dead = s.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10).get("Messages", [])
        seen.append(("dead", sorted(m["Body"] for m in dead)))
        return seen


@settings(max_examples=80, deadline=None)
@given(ops=_SQS_OPS)
def test_bounded_sqs_answers_every_call_like_moto(ops):
    """moto's own SQS code is the oracle: the same bodies in the same order, the same
    errors, counts and dead letters, with and without `bound_sqs_walks`."""
    from moto.sqs.models import Queue

    from devstack import motoserver
    motoserver.bound_sqs_walks()
    bounded = _run_sqs(ops)
    patched = {name: getattr(Queue, name) for name in motoserver.SQS_ORIGINALS}
    try:
        for name, original in motoserver.SQS_ORIGINALS.items():
            setattr(Queue, name, original)
        plain = _run_sqs(ops)
    finally:
        for name, value in patched.items():
            setattr(Queue, name, value)
    assert bounded == plain


def test_a_backlog_does_not_slow_each_call(monkeypatch):
    """With 1,000 messages waiting, a send, a receive of 10 and its deletes look at a few
    dozen messages, not at the whole backlog several times over (as moto does)."""
    import boto3
    from moto import mock_aws
    from moto.sqs.models import Message

    from devstack import motoserver
    motoserver.bound_sqs_walks()
    looked = []
    visible = Message.visible
    monkeypatch.setattr(Message, "visible", property(lambda m: looked.append(m) or visible.fget(m)))
    with mock_aws():
        s = boto3.client("sqs", region_name="eu-central-1")
        q = s.create_queue(QueueName="backlog")["QueueUrl"]
        for i in range(0, 1000, 10):
            s.send_message_batch(QueueUrl=q, Entries=[{"Id": str(j), "MessageBody": f"m{i + j}"} for j in range(10)])
        inflight = s.receive_message(QueueUrl=q, MaxNumberOfMessages=10, VisibilityTimeout=60)["Messages"]
        looked.clear()
        s.send_message(QueueUrl=q, MessageBody="new")
        got = s.receive_message(QueueUrl=q, MaxNumberOfMessages=10, VisibilityTimeout=60)["Messages"]
        assert [m["Body"] for m in got] == [f"m{i}" for i in range(10, 20)]     # past the ten in flight
        s.delete_message_batch(QueueUrl=q, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                                                    for i, m in enumerate(inflight + got)])
        assert len(looked) <= 40, len(looked)   # 10 in flight, 20 read twice; moto alone: 3 × 1,001 per send, 1,001 per receive
        n = s.get_queue_attributes(QueueUrl=q, AttributeNames=["ApproximateNumberOfMessages"])
        assert n["Attributes"]["ApproximateNumberOfMessages"] == "981"


# --- index projections -----------------------------------------------------------------

_NAMES = st.sampled_from(["pk", "sk", "g", "gs", "status", "due", "tags", "nums", "blob", "doc", "flag", "none"])
_LEAF = st.one_of(st.builds(lambda v: {"S": v}, st.text(max_size=5)),
                  st.builds(lambda v: {"N": str(v)}, st.integers(-999, 999)),
                  st.builds(lambda v: {"B": v}, st.binary(min_size=1, max_size=4)),
                  st.builds(lambda v: {"SS": sorted(v)}, st.sets(st.text(min_size=1, max_size=3), min_size=1, max_size=3)),
                  st.builds(lambda v: {"NS": sorted(map(str, v))}, st.sets(st.integers(0, 99), min_size=1, max_size=3)),
                  st.builds(lambda v: {"BOOL": v}, st.booleans()), st.just({"NULL": True}))
_VALUE = st.recursive(_LEAF, lambda inner: st.one_of(
    st.builds(lambda v: {"L": v}, st.lists(inner, max_size=3)),
    st.builds(lambda v: {"M": v}, st.dictionaries(st.sampled_from(["a", "b", "c"]), inner, max_size=3))), max_leaves=6)


def _normal(value):
    """DynamoDB JSON with sets in one order (moto's own projection turns them into Python sets)."""
    if not isinstance(value, dict):
        value = value.to_json()                   # a DynamoType inside a list or map
    (kind, v), = value.items()
    if kind in ("SS", "NS", "BS"):
        return {kind: sorted(v)}
    if kind == "L":
        return {kind: [_normal(x) for x in v]}
    if kind == "M":
        return {kind: {k: _normal(x) for k, x in v.items()}}
    return value


@settings(max_examples=300, deadline=None)
@given(attrs=st.dictionaries(_NAMES, _VALUE, max_size=10), kind=st.sampled_from(["KEYS_ONLY", "INCLUDE", "ALL"]),
       included=st.lists(_NAMES, max_size=5))
def test_an_index_projects_the_same_attributes_as_moto(attrs, kind, included):
    """The local projection keeps what moto's keeps, without converting the whole item
    once per kept attribute."""
    from moto.dynamodb.models.dynamo_type import DynamoType, Item
    from moto.dynamodb.models.table import SecondaryIndex

    from devstack import motoserver
    motoserver.serialise_dynamodb_writes()
    attrs = {**attrs, "pk": {"S": "p"}}
    item = Item(hash_key=DynamoType(attrs["pk"]), range_key=None, attrs=attrs)
    projection = {"ProjectionType": kind} | ({"NonKeyAttributes": included} if kind == "INCLUDE" else {})
    index = SecondaryIndex("by_g", [{"AttributeName": "g", "KeyType": "HASH"},
                                    {"AttributeName": "gs", "KeyType": "RANGE"}], projection, ["pk"])
    ours, moto = index.project(item), motoserver._moto_project(index, item)
    assert ({k: _normal(v.to_json()) for k, v in ours.attrs.items()}
            == {k: _normal(v.to_json()) for k, v in moto.attrs.items()})
    assert (ours.hash_key, ours.range_key) == (moto.hash_key, moto.range_key)


def test_paging_through_a_whole_partition_hands_moto_one_page_at_a_time(handed, monkeypatch):
    """The morning digest reads every open case of a district, page by page (1 MB each).
    moto sorted and walked the whole partition for every page, so the read grew with the
    square of the partition; each page now gets only its own run."""
    import boto3
    from moto import mock_aws

    from devstack import motoserver

    with mock_aws():
        d = boto3.client("dynamodb", region_name="eu-central-1")
        _table(d)
        for i in range(40):
            d.put_item(TableName="parts", Item={"pk": {"S": f"p{i:03d}"}, "sk": {"S": "x"}, "g": {"S": "one"},
                                                 "gs": {"S": f"2026-{i:04d}"}, "pad": {"S": "x" * 150_000}})
        pages = _query_pages(d, "parts", "one", None, None, True)
        assert [len(items) for items, _, _ in pages] == [6] * 6 + [4]          # 6 × 150 KB fit in 1 MB
        assert [pk for items, _, _ in pages for pk, _ in items] == [f"p{i:03d}" for i in range(40)]
        assert max(len(h) for h in handed) == 8         # the start key's item, a page and the item that ends it
        with monkeypatch.context() as m:
            m.setattr(motoserver, "_window", lambda *a, **k: None)
            assert _query_pages(d, "parts", "one", None, None, True) == pages


def test_the_local_server_finds_each_hosts_service_once_with_moto_s_answers(monkeypatch):
    import os

    from moto.server import DomainDispatcherApplication, create_backend_app

    from devstack.motoserver import cache_backend_lookup
    hosts = [None, "moto_api", "dynamodb", "dynamodb.eu-central-1.amazonaws.com", "sqs.eu-central-1.amazonaws.com",
             "email.eu-central-1.amazonaws.com", "sns.eu-central-1.amazonaws.com", "s3.amazonaws.com",
             "cognito-idp.eu-central-1.amazonaws.com", "nothing.example"]
    moto_own = DomainDispatcherApplication(create_backend_app)
    expected = [moto_own.get_backend_for_host(h) for h in hosts]
    assert expected[3:5] == ["dynamodb", "sqs"]                     # the oracle answers, it is not all None
    cached = cache_backend_lookup(DomainDispatcherApplication(create_backend_app))
    listed = []
    real_listdir = os.listdir
    monkeypatch.setattr(os, "listdir", lambda path: listed.append(path) or real_listdir(path))
    assert [cached.get_backend_for_host(h) for h in hosts] == expected
    first = len(listed)
    assert first > 0                                               # moto's lookup lists its package
    assert [cached.get_backend_for_host(h) for h in hosts * 3] == expected * 3
    assert len(listed) == first                                    # and then never again


def test_items_share_one_string_per_attribute_name(aws):
    """The local moto keeps one copy of each attribute name for all items (moto made one
    per item from the request's JSON); the items themselves read back the same."""
    import boto3

    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodb.models.dynamo_type import DynamoType
    ddb = boto3.client("dynamodb", region_name="eu-central-1")
    table = aws["MAIN_TABLE"]
    for i in range(2):
        ddb.put_item(TableName=table, Item={"pk": {"S": f"X#{i}"}, "sk": {"S": "X"},
                                            "extension_warned": {"BOOL": False}, "nested": {"M": {"a": {"N": "1"}}}})
    stored = dynamodb_backends["123456789012"]["eu-central-1"].get_table(table)
    first, second = (stored.get_item(DynamoType({"S": f"X#{i}"}), DynamoType({"S": "X"})) for i in range(2))
    [name_1] = [k for k in first.attrs if k == "extension_warned"]
    [name_2] = [k for k in second.attrs if k == "extension_warned"]
    assert name_1 is name_2
    got = ddb.get_item(TableName=table, Key={"pk": {"S": "X#1"}, "sk": {"S": "X"}})["Item"]
    assert got == {"pk": {"S": "X#1"}, "sk": {"S": "X"}, "extension_warned": {"BOOL": False},
                   "nested": {"M": {"a": {"N": "1"}}}}


EVERY_TYPE = {"pk": {"S": "P#1"}, "sk": {"S": "X"}, "s": {"S": "Çağrı İğdır ışık"}, "n": {"N": "-12.50"}, "count": {"N": "41"},
              "b": {"B": b"\x00\xffsealed"}, "t": {"BOOL": True}, "f": {"BOOL": False}, "z": {"NULL": True},
              "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2.5"]}, "bs": {"BS": [b"\x01", b"\x02"]},
              "l": {"L": [{"S": "x"}, {"N": "1"}, {"M": {"deep": {"L": [{"BOOL": False}, {"NULL": True}]}}}]},
              "m": {"M": {"history": {"L": [{"M": {"at": {"S": "2026-12-04"}, "b": {"B": b"\x02"}}}]}}}}


def _stored(table: str, pk: str, sk: str = "X"):
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodb.models.dynamo_type import DynamoType
    return dynamodb_backends["123456789012"]["eu-central-1"].get_table(table).get_item(
        DynamoType({"S": pk}), DynamoType({"S": sk}))


def test_items_at_rest_are_packed_and_every_type_reads_back_the_same(aws):
    """The local moto packs each item after the next write (tests pack after every
    write); whatever it holds reads back exactly as written, through every call that
    reads or changes an item."""
    import boto3

    from devstack import motoserver
    ddb = boto3.client("dynamodb", region_name="eu-central-1")
    table = aws["MAIN_TABLE"]
    ddb.put_item(TableName=table, Item=EVERY_TYPE)
    ddb.put_item(TableName=table, Item={"pk": {"S": "P#2"}, "sk": {"S": "X"}})   # a write: P#1 is packed
    stored = _stored(table, "P#1")
    assert stored.__dict__["_attrs"] is None and isinstance(stored.__dict__["_packed"], bytes)
    assert ddb.get_item(TableName=table, Key={"pk": {"S": "P#1"}, "sk": {"S": "X"}})["Item"] == EVERY_TYPE

    ddb.update_item(TableName=table, Key={"pk": {"S": "P#1"}, "sk": {"S": "X"}},
                    UpdateExpression="SET m.history[0].#at = :at, #count = #count + :one ADD ss :c REMOVE z",
                    ExpressionAttributeNames={"#at": "at", "#count": "count"}, ExpressionAttributeValues={":at": {"S": "2026-12-05"}, ":one": {"N": "1"}, ":c": {"SS": ["c"]}})
    ddb.put_item(TableName=table, Item={"pk": {"S": "P#3"}, "sk": {"S": "X"}})
    assert _stored(table, "P#1").__dict__["_attrs"] is None          # packed again by the next write
    expected = {**EVERY_TYPE, "count": {"N": "42"}, "ss": {"SS": ["a", "b", "c"]},
                "m": {"M": {"history": {"L": [{"M": {"at": {"S": "2026-12-05"}, "b": {"B": b"\x02"}}}]}}}}
    del expected["z"]
    got = ddb.get_item(TableName=table, Key={"pk": {"S": "P#1"}, "sk": {"S": "X"}})["Item"]
    assert {k: (sorted(v["SS"]) if "SS" in v else v) for k, v in got.items()} == \
        {k: (sorted(v["SS"]) if "SS" in v else v) for k, v in expected.items()}

    # a transaction whose condition fails changes nothing; one that passes changes both items
    from botocore.exceptions import ClientError
    with pytest.raises(ClientError):
        ddb.transact_write_items(TransactItems=[
            {"Update": {"TableName": table, "Key": {"pk": {"S": "P#2"}, "sk": {"S": "X"}},
                        "UpdateExpression": "SET v = :v", "ExpressionAttributeValues": {":v": {"N": "1"}}}},
            {"ConditionCheck": {"TableName": table, "Key": {"pk": {"S": "P#1"}, "sk": {"S": "X"}},
                                "ConditionExpression": "attribute_exists(z)"}}])
    assert ddb.get_item(TableName=table, Key={"pk": {"S": "P#2"}, "sk": {"S": "X"}})["Item"] == {
        "pk": {"S": "P#2"}, "sk": {"S": "X"}}
    ddb.transact_write_items(TransactItems=[
        {"Update": {"TableName": table, "Key": {"pk": {"S": "P#2"}, "sk": {"S": "X"}},
                    "UpdateExpression": "SET v = :v", "ExpressionAttributeValues": {":v": {"N": "1"}}}},
        {"Update": {"TableName": table, "Key": {"pk": {"S": "P#1"}, "sk": {"S": "X"}},
                    "UpdateExpression": "SET s = :s", "ExpressionAttributeValues": {":s": {"S": "ıI"}},
                    "ConditionExpression": "attribute_exists(b)"}}])
    motoserver.pack_unpacked()
    assert ddb.get_item(TableName=table, Key={"pk": {"S": "P#2"}, "sk": {"S": "X"}})["Item"]["v"] == {"N": "1"}
    assert ddb.get_item(TableName=table, Key={"pk": {"S": "P#1"}, "sk": {"S": "X"}})["Item"]["s"] == {"S": "ıI"}


def test_two_threads_unpacking_one_item_share_one_copy(monkeypatch):
    """Reads take no write lock. A reader unpacking an item beside a writer must not put
    its own copy into the item after the writer's, or the write would change a copy the
    item no longer holds, and be lost."""
    import threading

    from moto.dynamodb.models.dynamo_type import DynamoType, Item

    from devstack import motoserver
    item = Item(DynamoType({"S": "P#1"}), None, {"pk": {"S": "P#1"}, "n": {"N": "1"}})
    motoserver.pack_unpacked()
    assert item.__dict__["_attrs"] is None
    unpack, first_inside, go_on = motoserver._unpack, threading.Event(), threading.Event()

    def slow_first(packed):
        if not first_inside.is_set():
            first_inside.set()
            go_on.wait(5)
        return unpack(packed)
    monkeypatch.setattr(motoserver, "_unpack", slow_first)
    got = {}
    writer = threading.Thread(target=lambda: got.setdefault("writer", item.attrs))
    reader = threading.Thread(target=lambda: got.setdefault("reader", item.attrs))
    writer.start()
    assert first_inside.wait(5)
    reader.start()
    reader.join(0.2)                  # unpacks beside the writer, unless it waits for it
    go_on.set()
    writer.join(5), reader.join(5)
    got["writer"]["n"] = DynamoType({"N": "2"})                    # the write, on what the writer holds
    assert got["reader"] is got["writer"] is item.attrs
    assert item.attrs["n"] == DynamoType({"N": "2"})


def test_binary_values_keep_their_python_form_when_packed():
    """moto holds a binary value as text (from a request's JSON) or as bytes; packing keeps which."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    from devstack.motoserver import _pack, _unpack
    attrs = {"text": DynamoType({"B": "AP8="}), "raw": DynamoType({"B": b"\x00\xff"}),
             "set": DynamoType({"BS": [b"\x01", "Ag=="]}),
             "nested": DynamoType({"M": {"x": {"L": [{"B": b"\x03"}, {"S": "İ"}]}}})}
    back = _unpack(_pack(attrs))
    assert back == attrs
    assert back["text"].value == "AP8=" and back["raw"].value == b"\x00\xff"
    assert back["set"].value == [b"\x01", "Ag=="]
    assert back["nested"].value["x"].value[0].value == b"\x03"


def test_packed_items_take_a_fraction_of_moto_s_objects(aws):
    """What a stack holds at rest: 200 case-like items, measured as moto's objects and
    packed (tracemalloc, the bytes Python holds for them)."""
    import tracemalloc

    import boto3

    from devstack import motoserver
    ddb = boto3.client("dynamodb", region_name="eu-central-1")
    table = aws["MAIN_TABLE"]
    case = {f"attribute_{i:02d}": {"S": f"değer {i} " * 3} for i in range(30)}
    case["history"] = {"L": [{"M": {"at": {"S": f"2026-12-0{d}T10:00:00+03:00"}, "status": {"S": "forwarded"},
                                    "public": {"BOOL": True}}} for d in range(1, 8)]}
    for i in range(200):
        ddb.put_item(TableName=table, Item={"pk": {"S": f"C#{i:04d}"}, "sk": {"S": "X"}, **case})
    motoserver.pack_unpacked()
    items = [_stored(table, f"C#{i:04d}") for i in range(200)]
    assert all(item.__dict__["_attrs"] is None for item in items)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for item in items:
            item.attrs                                   # unpacked: moto's own objects
        unpacked = tracemalloc.get_traced_memory()[0] - before
        motoserver.pack_unpacked()
        packed = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert all(item.__dict__["_attrs"] is None for item in items)
    assert unpacked > 200 * 8_000                          # moto's objects: over 8 KB an item
    assert packed < unpacked / 5, (packed, unpacked)       # packed: the packed form only


def test_the_store_contract_suite_passes_on_moto_as_it_ships():
    """The integration tests run on the local server's patches of moto; the contract
    suite's DynamoDB half runs once more on moto without any of them (the version pinned
    in requirements-dev.txt), so that a patch is never what makes the real store pass."""
    import os
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "ACIKKAPI_UNPATCHED_MOTO": "1"}
    env.pop("PYTEST_XDIST_WORKER", None)
    run = subprocess.run([sys.executable, "-m", "pytest", "tests/contract", "-k", "dynamodb", "-q", "-p",
                          "no:cacheprovider", "-p", "no:xdist"], cwd=root, env=env, capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stdout[-3000:]
    assert " passed" in run.stdout and "skipped" not in run.stdout


def test_moto_is_pinned_to_one_exact_version():
    from pathlib import Path

    import moto
    pins = [line for line in (Path(__file__).resolve().parents[2] / "requirements-dev.txt").read_text().splitlines()
            if line.startswith("moto")]
    assert pins == [f"moto[server]=={moto.__version__}"]
