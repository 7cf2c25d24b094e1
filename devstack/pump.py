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
# consumers per queue: routing first (a case leaves "received" there), notifications after
CONCURRENCY = {"routing_worker": int(os.environ.get("PUMP_ROUTING_CONCURRENCY", "4")),
               "notification_worker": int(os.environ.get("PUMP_NOTIFICATION_CONCURRENCY", "2"))}


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
        self._count = threading.Lock()

    def poll_once(self) -> int:
        """One receive from every queue, in turn (tests drive the pump this way)."""
        return sum(self.poll(queue) for queue in self.queues)

    def poll(self, queue) -> int:
        """One receive from one queue, its handler, then one batch delete of what succeeded."""
        name, url, arn, batch = queue
        resp = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=batch, WaitTimeSeconds=self.wait_seconds,
                                        AttributeNames=["All"], MessageAttributeNames=["All"])
        messages = resp.get("Messages", [])
        if not messages:
            return 0
        try:
            result = self.app.handler_map[name](sqs_event(messages, arn, self.region), _context(name))
            failed = {f["itemIdentifier"] for f in (result or {}).get("batchItemFailures", [])}
        except Exception as exc:  # noqa: BLE001 - Lambda treats it as all failed
            print(f"[pump] {name}: handler raised {type(exc).__name__}", flush=True)
            failed = {m["MessageId"] for m in messages}
        done = [m for m in messages if m["MessageId"] not in failed]
        for m in messages:
            if m["MessageId"] in failed:
                self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"],
                                                   VisibilityTimeout=RETRY_BACKOFF_SECONDS)
        if done:
            self.sqs.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)])
        with self._count:
            self.failed += len(messages) - len(done)
            self.delivered += len(done)
        return len(messages)

    def tick(self, at: datetime | None = None) -> None:
        for name in self.schedules:
            try:
                self.app.handler_map[name](schedule_event(name, at), _context(name))
            except Exception as exc:  # noqa: BLE001
                print(f"[pump] schedule {name}: raised {type(exc).__name__}", flush=True)

    def _drain(self, queue) -> None:
        """One consumer of one queue, as one concurrent Lambda invocation would be."""
        while not self.stop.is_set():
            try:
                self.poll(queue)
            except Exception as exc:  # noqa: BLE001 - moto going away at shutdown
                if self.stop.is_set():
                    break
                print(f"[pump] poll of {queue[0]} failed: {type(exc).__name__}", flush=True)
                time.sleep(1)

    def run(self) -> None:
        """CONCURRENCY consumers per queue (Lambda runs several batches at once too), and
        the schedule ticks on this thread."""
        for queue in self.queues:
            for i in range(CONCURRENCY.get(queue[0], 2)):
                threading.Thread(target=self._drain, args=(queue,), name=f"pump-{queue[0]}-{i}", daemon=True).start()
        next_tick = time.monotonic() + self.schedule_interval
        while not self.stop.wait(0.2):
            if self.schedules and time.monotonic() >= next_tick:
                self.tick()
                next_tick = time.monotonic() + self.schedule_interval
