"""SQS producer. Messages carry identifiers only, never personal data."""
from __future__ import annotations

import json

from .aws import client


def send(queue_url: str, message: dict, *, delay_seconds: int = 0) -> None:
    client("sqs").send_message(QueueUrl=queue_url, MessageBody=json.dumps(message, ensure_ascii=False),
                               DelaySeconds=delay_seconds)


def send_batch(queue_url: str, messages: list[dict]) -> None:
    """SendMessageBatch in chunks of ten (the SQS limit)."""
    sqs = client("sqs")
    for start in range(0, len(messages), 10):
        chunk = messages[start:start + 10]
        entries = [{"Id": str(i), "MessageBody": json.dumps(m, ensure_ascii=False)} for i, m in enumerate(chunk)]
        result = sqs.send_message_batch(QueueUrl=queue_url, Entries=entries)
        if result.get("Failed"):
            raise RuntimeError(f"SQS refused {len(result['Failed'])} of {len(chunk)} messages")
