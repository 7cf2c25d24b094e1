"""SQS publisher: the `Publisher` port. It owns the queue URLs and the wire format of
notification messages, which carry no personal data in clear: the recipient and the
template parameters are sealed with AES-GCM, bound to the dedup key."""
from __future__ import annotations

import json

from ..domain.notifications import Notification
from ..services.ports import PoisonMessage
from .aws import client


def notification_to_message(n: Notification, keys) -> dict:
    payload = json.dumps({"recipient": n.recipient, "params": n.params}, ensure_ascii=False)
    return {"type": "notify", "version": 1, "dedup_key": n.dedup_key, "channel": n.channel,
            "template": n.template, "payload": keys.seal(payload, n.dedup_key)}


def notification_from_message(msg: dict, keys) -> Notification:
    try:
        if msg.get("type") != "notify" or not isinstance(msg.get("channel"), str):
            raise PoisonMessage("not a notification")
        payload = json.loads(keys.unseal(msg["payload"], msg["dedup_key"]))
        return Notification(msg["dedup_key"], msg["channel"], msg["template"], payload["recipient"],
                            payload["params"])
    except PoisonMessage:
        raise
    except Exception as exc:  # noqa: BLE001 - any malformed field makes it poison
        raise PoisonMessage(type(exc).__name__) from None


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


class SqsPublisher:
    def __init__(self, routing_queue_url: str, notification_queue_url: str, keys):
        self.routing_queue_url = routing_queue_url
        self.notification_queue_url = notification_queue_url
        self.keys = keys

    def ready(self) -> None:
        client("sqs").get_queue_attributes(QueueUrl=self.routing_queue_url, AttributeNames=["QueueArn"])

    def route(self, message: dict) -> None:
        send(self.routing_queue_url, message)

    def route_many(self, messages: list[dict]) -> None:
        if messages:
            send_batch(self.routing_queue_url, messages)

    def opened(self, message: dict) -> Notification:
        return notification_from_message(message, self.keys)

    def notify(self, notifications: list[Notification]) -> None:
        if notifications:
            send_batch(self.notification_queue_url, [notification_to_message(n, self.keys) for n in notifications])
