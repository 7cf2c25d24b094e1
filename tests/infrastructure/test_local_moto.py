"""The local stack's moto holds what the tables and queues hold, not every object it ever
made: moto's dashboard list of model instances is turned off (S3's stays, for its reset)."""
import subprocess
import sys
from pathlib import Path

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
