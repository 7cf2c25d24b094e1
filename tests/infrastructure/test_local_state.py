"""The local stack's state saver writes only what changed: moto hands out the items written
and the messages sent since the saver last asked, the saver appends them to logs, and a
log is folded into its snapshot before the next start."""
import base64
import json

import pytest

from devstack import motoserver, state
from devstack.outbox import drain_sent

TABLE = "saved"


@pytest.fixture
def noted(monkeypatch):
    """In-process moto with the local server's change notes on (off elsewhere in tests)."""
    import boto3
    from moto import mock_aws
    monkeypatch.setattr(motoserver, "_note_changes", True)
    motoserver._CHANGED.clear()
    with mock_aws():
        d = boto3.client("dynamodb", region_name="eu-central-1")
        d.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                       KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                       AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("pk", "sk")])
        yield d
    motoserver._CHANGED.clear()


def _key(pk):
    return {"pk": {"S": pk}, "sk": {"S": "x"}}


def _drained():
    return {c["key"]["pk"]["S"]: c["item"] for c in motoserver.drain_changes() if c["table"] == TABLE}


def test_the_saver_gets_only_the_items_written_since_it_last_asked(noted):
    d = noted
    for i in range(100):
        d.put_item(TableName=TABLE, Item={**_key(f"p{i:03d}"), "n": {"N": str(i)}})
    assert len(_drained()) == 100
    assert _drained() == {}                                   # handed out once
    d.update_item(TableName=TABLE, Key=_key("p001"), UpdateExpression="SET n = :n",
                  ExpressionAttributeValues={":n": {"N": "1001"}})
    d.delete_item(TableName=TABLE, Key=_key("p002"))
    d.transact_write_items(TransactItems=[{"Put": {"TableName": TABLE, "Item": {**_key("t1"), "n": {"N": "7"}}}}])
    d.batch_write_item(RequestItems={TABLE: [{"PutRequest": {"Item": {**_key("b1"), "bin": {"B": b"\x00\xffok"}}}}]})
    changed = _drained()
    assert set(changed) == {"p001", "p002", "t1", "b1"}       # 4 of 102 items, not the table
    assert changed["p001"]["n"] == {"N": "1001"} and changed["p002"] is None
    saved = {k: state._saved(v) for k, v in changed["b1"].items()}
    assert state._decode(saved["bin"]) == {"B": b"\x00\xffok"}   # binary survives the round trip


def _entry(pk, item):
    key = {"pk": {"S": pk}, "sk": {"S": "x"}}
    return {"table": TABLE, "key": key, "item": None if item is None else {**key, **item}}


def test_the_log_folds_into_the_snapshot_in_order_and_a_torn_line_is_skipped(tmp_path):
    state._write(tmp_path / "tables.json", {TABLE: [{"pk": {"S": "a"}, "sk": {"S": "x"}, "v": {"S": "1"}},
                                                    {"pk": {"S": "b"}, "sk": {"S": "x"}, "v": {"S": "1"}}],
                                            "other": [{"id": {"S": "kept"}}]})
    log = [_entry("b", {"v": {"S": "2"}}), _entry("a", None), _entry("c", {"v": {"S": "1"}}),
           _entry("c", {"v": {"S": "3"}})]
    state._append(tmp_path / "tables.log", log)
    with (tmp_path / "tables.log").open("a") as f:
        f.write('{"table": "saved", "key": {"pk"')            # a kill -9 while appending
    state.fold_tables(tmp_path)
    folded = json.loads((tmp_path / "tables.json").read_text())
    assert sorted((i["pk"]["S"], i["v"]["S"]) for i in folded[TABLE]) == [("b", "2"), ("c", "3")]
    assert folded["other"] == [{"id": {"S": "kept"}}] and not (tmp_path / "tables.log").exists()
    state._append(tmp_path / "tables.log", log)               # a crash between the rename and the unlink
    state.fold_tables(tmp_path)
    assert json.loads((tmp_path / "tables.json").read_text()) == folded


def _mail(i):
    return {"id": f"m{i}", "to": ["x@example.org"], "subject": f"s{i}", "body": "", "links": []}


def test_the_outbox_is_the_logged_messages_newest_first_then_the_snapshot_each_once(tmp_path):
    state._write(tmp_path / "outbox.json", {"email": [_mail(1)], "sms": []})
    state._append(tmp_path / "outbox.log", [{"kind": "email", "message": _mail(2)},
                                            {"kind": "email", "message": _mail(3)},
                                            {"kind": "email", "message": _mail(3)},      # an append retried
                                            {"kind": "sms", "message": {"id": "s1", "to": "+905", "body": "b",
                                                                        "links": []}}])
    saved = state.saved_outbox(tmp_path)
    assert [m["id"] for m in saved["email"]] == ["m3", "m2", "m1"] and [m["id"] for m in saved["sms"]] == ["s1"]
    state.fold_outbox(tmp_path)
    assert state.saved_outbox(tmp_path) == saved and not (tmp_path / "outbox.log").exists()


def test_each_sent_message_is_handed_to_the_saver_once():
    import boto3
    from moto import mock_aws
    with mock_aws():
        ses = boto3.client("ses", region_name="eu-central-1")
        ses.verify_email_identity(EmailAddress="bildirim@acikkapi.example")

        def send(i):
            ses.send_email(Source="bildirim@acikkapi.example", Destination={"ToAddresses": ["v@example.org"]},
                           Message={"Subject": {"Data": f"Başvuru {i}"}, "Body": {"Text": {"Data": "metin"}}})
        send(1)
        send(2)
        assert [m["subject"] for m in drain_sent()["email"]] == ["Başvuru 1", "Başvuru 2"]   # oldest first
        send(3)
        assert [m["subject"] for m in drain_sent()["email"]] == ["Başvuru 3"]
        assert drain_sent() == {"email": [], "sms": []}


def test_the_attachments_are_fetched_again_only_when_their_listing_changes(tmp_path, monkeypatch):
    import boto3
    from moto import mock_aws
    monkeypatch.setattr(state, "_post", lambda url: {"email": [], "sms": []} if url.endswith("/sent") else [])
    with mock_aws():
        s3 = boto3.client("s3", region_name="eu-central-1")
        s3.create_bucket(Bucket="ekler", CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
        s3.put_object(Bucket="ekler", Key="a.pdf", Body=b"%PDF-a", ContentType="application/pdf")
        saver = state.Saver(tmp_path, [TABLE], "ekler", "http://unused")
        fetched = []
        real = s3.get_object
        monkeypatch.setattr(boto3, "client", lambda name, **kw: s3)
        monkeypatch.setattr(s3, "get_object", lambda **kw: fetched.append(kw["Key"]) or real(**kw))
        saver.save_now()
        saver.save_now()                                      # nothing new: nothing fetched
        s3.put_object(Bucket="ekler", Key="b.png", Body=b"png", ContentType="image/png")
        saver.save_now()
        assert fetched == ["a.pdf", "b.png"]
        objects = {o["key"]: base64.b64decode(o["body"]) for o in json.loads((tmp_path / "objects.json").read_text())}
        assert objects == {"a.pdf": b"%PDF-a", "b.png": b"png"}
