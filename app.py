"""Açık Kapı: the Chalice application.

Routes come from blueprints under chalicelib/api. Every SQS and schedule handler is
defined here, as a thin wrapper around a chalicelib function, so that deployed
handlers keep the app's middleware (see docs/architecture.md).
"""
import os
import time
import uuid

from chalicelib import coldstart

coldstart.pause_collector()     # in Lambda, until the first invocation is served
# pydantic looks for plugins in every installed distribution's entry points the first time a
# model is built (about 6 ms of a cold first submit, measured); the platform uses none
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

from chalice import Chalice, Cron, Rate  # noqa: E402

from chalicelib.api import citizen, dev, http, institution, open311, openapi, staff  # noqa: E402
from chalicelib.schedules import SCHEDULES, Schedule  # noqa: E402

app = Chalice(app_name="acikkapi")
app.register_blueprint(citizen.bp)
app.register_blueprint(openapi.bp)
app.register_blueprint(dev.bp)
app.register_blueprint(institution.bp)
app.register_blueprint(staff.bp)
app.register_blueprint(open311.bp)
http.name_greedy_parameters(app)
# the receipt PDF: base64 between the function and API Gateway, which sends it decoded to a
# client that accepts it (GET /v1/applications/{no}/receipt.pdf, Accept: application/pdf)
app.api.binary_types.append("application/pdf")


@app.middleware("all")
def first_invocation(event, get_response):
    """Every kind of invocation (API, SQS, schedule): after the container's first, the
    garbage collector runs again (chalicelib/coldstart.py)."""
    try:
        return get_response(event)
    finally:
        coldstart.resume_collector()


@app.middleware("http")
def access_log(event, get_response):
    from chalicelib.logs import logger

    log = logger()
    log.append_keys(request_id=(event.context or {}).get("requestId") or uuid.uuid4().hex)
    started = time.perf_counter()
    response = get_response(event)
    # no API answer is ever sniffed as another type by a browser, and none is stored by a
    # browser or a proxy unless its route says it may be (the catalogue, the statistics)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Cache-Control", "no-store")
    log.info("request", extra={"method": event.method, "route": (event.context or {}).get("resourcePath"),
                               "status": response.status_code,
                               "duration_ms": round((time.perf_counter() - started) * 1000, 1)})
    return response


# --- SQS workers: thin wrappers; the logic lives in chalicelib --------------------------
# Queue names come from the environment that infra/template.json gives the functions
# (the local stack and `make package` resolve the same template).
ROUTING_QUEUE = os.environ["ROUTING_QUEUE_NAME"]
NOTIFICATION_QUEUE = os.environ["NOTIFICATION_QUEUE_NAME"]


def process(event, handle, worker: str):
    """SQS batch processing shared by the workers: Powertools' BatchProcessor turns
    per-record exceptions into `batchItemFailures`, so one bad message does not fail its
    neighbours (the event source mapping has ReportBatchItemFailures)."""
    import json

    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

    from chalicelib.logs import exception_summary, logger

    def record_handler(record):
        try:
            message = json.loads(record.body)
            if not isinstance(message, dict):
                raise ValueError("not an object")
        except ValueError:
            logger().error("poison message", extra={"worker": worker, "message_id": record.message_id,
                                                    "reason": "invalid_json"})
            raise
        try:
            outcome = handle(message)
        except Exception as exc:
            logger().error("message failed", extra={"worker": worker, "message_id": record.message_id,
                                                    "message_type": message.get("type"), **exception_summary(exc)})
            raise
        logger().info("message handled", extra={"worker": worker, "message_id": record.message_id,
                                                "message_type": message.get("type"), "outcome": outcome})
        return outcome

    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    raw = event.to_dict() if hasattr(event, "to_dict") else event
    return process_partial_response(event=raw, record_handler=record_handler, processor=processor,
                                    context=getattr(event, "context", None))


@app.on_sqs_message(queue=ROUTING_QUEUE, batch_size=10, name="routing_worker")
def routing_worker(event):
    from chalicelib.bootstrap import ports
    from chalicelib.services import routing

    return process(event, lambda msg: routing.handle(ports(), msg), "routing")


# One event's messages (a routing's SMS and e-mails) are sent in one SendMessageBatch; a
# one-second batching window lets them reach one invocation, with one receive and one
# batched delete, instead of one each (issue 13's cost). A second before an SMS is nothing.
@app.on_sqs_message(queue=NOTIFICATION_QUEUE, batch_size=10, maximum_batching_window_in_seconds=1,
                    name="notification_worker")
def notification_worker(event):
    from chalicelib.bootstrap import ports
    from chalicelib.services import delivery

    return process(event, lambda msg: delivery.deliver_message(ports(), msg), "notifications")


# --- scheduled jobs: declared once in chalicelib/schedules.py, each a thin wrapper here -----

def _event_time(event):
    from datetime import datetime, timezone

    raw = getattr(event, "time", None)
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")) if raw else datetime.now(timezone.utc)
    except ValueError:
        return datetime.now(timezone.utc)


def _expression(declared: tuple):
    kind, *fields = declared
    return Rate(fields[0], unit=Rate.MINUTES) if kind == "rate" else Cron(*fields)


def _scheduled(schedule: Schedule):
    """The handler of one declared job: the job with the container's ports and the
    event's time, its result logged. Named as declared, so that Lambda's handler string
    (app.<name>) finds it in this module."""
    def handler(event):
        from chalicelib.bootstrap import ports
        from chalicelib.logs import logger

        result = schedule.target()(ports(), _event_time(event))
        logger().info(schedule.name, extra=result if isinstance(result, dict) else {"result": result})
        return result
    handler.__name__ = handler.__qualname__ = schedule.name
    handler.__doc__ = schedule.description
    return app.schedule(_expression(schedule.expression), name=schedule.name,
                        description=schedule.description[:256])(handler)


for _schedule in SCHEDULES:
    globals()[_schedule.name] = _scheduled(_schedule)
