"""SQS batch processing shared by the workers: Powertools' BatchProcessor turns
per-record exceptions into `batchItemFailures`, so one bad message does not fail its
neighbours (the event source mapping has ReportBatchItemFailures)."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Callable

from .logs import exception_summary, logger


def process(event, handle: Callable[[dict, str], str], worker: str) -> dict:
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

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
            outcome = handle(message, record.message_id)
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


def now() -> datetime:
    return datetime.now(timezone.utc)
