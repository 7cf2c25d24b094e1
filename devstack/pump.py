"""The event pump of the local stack: what Lambda's event source mappings and
EventBridge schedules do in AWS, done against moto.

- polls every queue that app.py subscribes to and calls the same handler Lambda would
  (`app.handler_map[name]`) with a Lambda-shaped SQS event; deletes what succeeded,
  leaves the items named in `batchItemFailures` (or all, if the handler raised) to
  come back after a short back-off, so that moto's redrive policy moves a poison
  message to its DLQ after maxReceiveCount receives;
- runs every scheduled handler at its own cadence: a `Rate` schedule (the 15-minute
  deadline sweep) at an accelerated, configurable interval, a `Cron` schedule (the daily
  digest, the nightly statistics, the monthly KVKK run) at its cron time in UTC, as
  EventBridge would. `python -m devstack sweep ...` runs one now.
"""
from __future__ import annotations

import os
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

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


# how far back the pump catches up on cron minutes it missed (a stalled loop, a busy machine);
# a stack that slept longer does not replay the night
CRON_CATCH_UP = timedelta(minutes=60)
_MINUTE = timedelta(minutes=1)


def _cron_field(text, low: int, high: int, name: str) -> frozenset[int] | None:
    """The values one field of an AWS cron expression allows, or None for any ('*', '?').
    Numbers, comma lists and ranges are read; steps, names, L, W and # are refused, so that
    a schedule the pump cannot follow fails at start instead of never running."""
    text = str(text).strip()
    if text in ("*", "?"):
        return None
    values = set()
    for part in text.split(","):
        first, _, last = part.partition("-")
        if not first.isdigit() or (last and not last.isdigit()):
            raise ValueError(f"cron field {name}={text!r}: the local pump reads numbers, lists and ranges only")
        a, b = int(first), int(last or first)
        if not low <= a <= b <= high:
            raise ValueError(f"cron field {name}={text!r}: outside {low}-{high}")
        values.update(range(a, b + 1))
    return frozenset(values)


def cron_matcher(cron):
    """A predicate on a UTC minute for a chalice `Cron`, with EventBridge's fields: minutes,
    hours, day of month, month, day of week (1 = Sunday ... 7 = Saturday), year. As in cron,
    when both day fields are restricted a day matching either runs."""
    minutes = _cron_field(cron.minutes, 0, 59, "minutes")
    hours = _cron_field(cron.hours, 0, 23, "hours")
    dom = _cron_field(cron.day_of_month, 1, 31, "day_of_month")
    month = _cron_field(cron.month, 1, 12, "month")
    dow = _cron_field(cron.day_of_week, 1, 7, "day_of_week")
    year = _cron_field(cron.year, 1970, 2199, "year")

    def allowed(values, value):
        return values is None or value in values

    def matches(at: datetime) -> bool:
        at = at.astimezone(timezone.utc)
        weekday = at.isoweekday() % 7 + 1                     # EventBridge: SUN=1 ... SAT=7
        if dom is not None and dow is not None:
            day = at.day in dom or weekday in dow
        else:
            day = allowed(dom, at.day) and allowed(dow, weekday)
        return (day and allowed(minutes, at.minute) and allowed(hours, at.hour)
                and allowed(month, at.month) and allowed(year, at.year))
    return matches


class Pump:
    def __init__(self, app, *, schedule_interval: float = 60.0, wait_seconds: int = 1,
                 scheduling: bool | None = None):
        """`scheduling` False (or SCHEDULES=off) runs no schedule: the end-to-end tests run
        each sweep themselves, so a cron time that falls inside a test run changes nothing."""
        from chalice.app import Cron, Rate, ScheduledEventConfig, SQSEventConfig

        self.app = app
        self.region = os.environ.get("AWS_DEFAULT_REGION", "eu-central-1")
        self.sqs = boto3.client("sqs", region_name=self.region)
        self.wait_seconds = wait_seconds
        self.schedule_interval = schedule_interval
        self.scheduling = os.environ.get("SCHEDULES", "on") != "off" if scheduling is None else scheduling
        self.queues = []
        for cfg in app.event_sources:
            if isinstance(cfg, SQSEventConfig):
                url = self.sqs.get_queue_url(QueueName=cfg.queue)["QueueUrl"]
                arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
                self.queues.append((cfg.name, url, arn, min(cfg.batch_size, 10)))
        # Rate schedules run every schedule_interval seconds (accelerated); Cron schedules at their time
        self.schedules, self.rates, self.crons = [], [], []
        for cfg in app.event_sources:
            if not isinstance(cfg, ScheduledEventConfig):
                continue
            expression = cfg.schedule_expression
            if isinstance(expression, Cron):
                self.crons.append((cfg.name, expression.to_string(), cron_matcher(expression)))
            elif isinstance(expression, Rate):
                self.rates.append(cfg.name)
            else:
                raise ValueError(f"schedule {cfg.name}: use chalice's Rate or Cron, not {expression!r}")
            self.schedules.append(cfg.name)
        self.reset_clock(datetime.now(timezone.utc), time.monotonic())
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

    def run_schedule(self, name: str, at: datetime) -> None:
        """Runs one scheduled handler once, as of `at`, as EventBridge would invoke it."""
        try:
            self.app.handler_map[name](schedule_event(name, at), _context(name))
        except Exception as exc:  # noqa: BLE001
            print(f"[pump] schedule {name}: raised {type(exc).__name__}", flush=True)

    def reset_clock(self, wall: datetime, mono: float) -> None:
        """Starts counting from this moment: the first Rate run one interval later, Cron
        schedules from the next minute on (a cron minute that has begun already is not run)."""
        self._next_rate = mono + self.schedule_interval
        self._last_minute = wall.astimezone(timezone.utc).replace(second=0, microsecond=0)

    def run_due(self, wall: datetime, mono: float) -> list[tuple[str, datetime]]:
        """Runs what is due at this moment and returns (schedule, as of) for each run: the
        Rate schedules once schedule_interval has passed, each Cron schedule for every UTC
        minute since the last call that matches it (at most CRON_CATCH_UP back), as of that
        minute, as EventBridge's event time would be."""
        if not self.scheduling:
            return []
        due = []
        if self.rates and mono >= self._next_rate:
            due += [(name, wall) for name in self.rates]
            self._next_rate = mono + self.schedule_interval
        minute = wall.astimezone(timezone.utc).replace(second=0, microsecond=0)
        at = max(self._last_minute + _MINUTE, minute - CRON_CATCH_UP)
        while at <= minute:
            due += [(name, at) for name, _, matches in self.crons if matches(at)]
            at += _MINUTE
        self._last_minute = max(self._last_minute, minute)
        for name, at in due:
            self.run_schedule(name, at)
        return due

    def describe(self) -> str:
        """One line for the stack's banner: what runs when."""
        if not self.scheduling:
            return "off (SCHEDULES=off)"
        parts = [f"{', '.join(self.rates)} every {self.schedule_interval:g} s"] if self.rates else []
        parts += [f"{name} {expression} UTC" for name, expression, _ in self.crons]
        return "; ".join(parts)

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
        the schedules on this thread, each at its own cadence."""
        for queue in self.queues:
            for i in range(CONCURRENCY.get(queue[0], 2)):
                threading.Thread(target=self._drain, args=(queue,), name=f"pump-{queue[0]}-{i}", daemon=True).start()
        self.reset_clock(datetime.now(timezone.utc), time.monotonic())
        while not self.stop.wait(0.2):
            self.run_due(datetime.now(timezone.utc), time.monotonic())
