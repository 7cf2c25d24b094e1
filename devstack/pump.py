"""The event pump of the local stack: what Lambda's event source mappings and
EventBridge schedules do in AWS, done against moto.

- polls every queue that app.py subscribes to and calls the same handler Lambda would
  (`app.handler_map[name]`) with a Lambda-shaped SQS event; deletes what succeeded,
  leaves the items named in `batchItemFailures` (or all, if the handler raised) to
  come back after a short back-off, so that moto's redrive policy moves a poison
  message to its DLQ after maxReceiveCount receives;
- ticks every scheduled handler at an accelerated, configurable interval.
"""
from __future__ import annotations

import os
import threading
import time
import uuid
from datetime import datetime, timezone

import boto3

RETRY_BACKOFF_SECONDS = int(os.environ.get("PUMP_RETRY_BACKOFF", "2"))


def _context(name: str):
    from chalice.local import LambdaContext
    return LambdaContext(function_name=f"acikkapi-local-{name}", memory_size=512, max_runtime_ms=30000)


def sqs_event(messages: list[dict], queue_arn: str, region: str) -> dict:
    return {"Records": [{
        "messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
        "attributes": m.get("Attributes", {}), "messageAttributes": m.get("MessageAttributes", {}),
        "md5OfBody": m.get("MD5OfBody", ""), "eventSource": "aws:sqs", "eventSourceARN": queue_arn,
        "awsRegion": region} for m in messages]}


def schedule_event(name: str, at: datetime | None = None) -> dict:
    at = at or datetime.now(timezone.utc)
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event", "source": "aws.events",
            "account": "123456789012", "time": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": os.environ.get("AWS_DEFAULT_REGION", "eu-central-1"),
            "resources": [f"arn:aws:events:::rule/{name}"], "detail": {}}


class Pump:
    def __init__(self, app, *, schedule_interval: float = 60.0, wait_seconds: int = 1):
        from chalice.app import ScheduledEventConfig, SQSEventConfig

        self.app = app
        self.region = os.environ.get("AWS_DEFAULT_REGION", "eu-central-1")
        self.sqs = boto3.client("sqs", region_name=self.region)
        self.wait_seconds = wait_seconds
        self.schedule_interval = schedule_interval
        self.queues = []
        for cfg in app.event_sources:
            if isinstance(cfg, SQSEventConfig):
                url = self.sqs.get_queue_url(QueueName=cfg.queue)["QueueUrl"]
                arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
                self.queues.append((cfg.name, url, arn, min(cfg.batch_size, 10)))
        self.schedules = [cfg.name for cfg in app.event_sources if isinstance(cfg, ScheduledEventConfig)]
        self.stop = threading.Event()
        self.delivered = 0
        self.failed = 0

    def poll_once(self) -> int:
        handled = 0
        for name, url, arn, batch in self.queues:
            resp = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=batch, WaitTimeSeconds=self.wait_seconds,
                                            AttributeNames=["All"], MessageAttributeNames=["All"])
            messages = resp.get("Messages", [])
            if not messages:
                continue
            handled += len(messages)
            try:
                result = self.app.handler_map[name](sqs_event(messages, arn, self.region), _context(name))
                failed = {f["itemIdentifier"] for f in (result or {}).get("batchItemFailures", [])}
            except Exception as exc:  # noqa: BLE001 - Lambda treats it as all failed
                print(f"[pump] {name}: handler raised {type(exc).__name__}", flush=True)
                failed = {m["MessageId"] for m in messages}
            for m in messages:
                if m["MessageId"] in failed:
                    self.failed += 1
                    self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"],
                                                       VisibilityTimeout=RETRY_BACKOFF_SECONDS)
                else:
                    self.delivered += 1
                    self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        return handled

    def tick(self, at: datetime | None = None) -> None:
        for name in self.schedules:
            try:
                self.app.handler_map[name](schedule_event(name, at), _context(name))
            except Exception as exc:  # noqa: BLE001
                print(f"[pump] schedule {name}: raised {type(exc).__name__}", flush=True)

    def run(self) -> None:
        next_tick = time.monotonic() + self.schedule_interval
        while not self.stop.is_set():
            try:
                self.poll_once()
            except Exception as exc:  # noqa: BLE001 - moto going away at shutdown
                if self.stop.is_set():
                    break
                print(f"[pump] poll failed: {type(exc).__name__}", flush=True)
                time.sleep(1)
            if self.schedules and time.monotonic() >= next_tick:
                self.tick()
                next_tick = time.monotonic() + self.schedule_interval
