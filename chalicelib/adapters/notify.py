"""SES (e-mail), SNS (SMS), and the notification claim records in DynamoDB."""
from __future__ import annotations

import os
from datetime import datetime, timedelta

from pynamodb.exceptions import PutError

from .aws import client
from .dynamo import NotificationItem

CLAIM_TTL = timedelta(days=400)


def mail_from() -> str:
    return os.environ.get("MAIL_FROM", "bildirim@acikkapi.example")


class AwsSender:
    def send_sms(self, phone: str, body: str) -> None:
        client("sns").publish(PhoneNumber=phone, Message=body, MessageAttributes={
            "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}})

    def send_email(self, to: str, subject: str, body: str) -> None:
        client("sesv2").send_email(
            FromEmailAddress=mail_from(), Destination={"ToAddresses": [to]},
            Content={"Simple": {"Subject": {"Data": subject, "Charset": "UTF-8"},
                                "Body": {"Text": {"Data": body, "Charset": "UTF-8"}}}})


class ClaimStore:
    def claim(self, dedup_key: str, channel: str, template: str, now: datetime) -> bool:
        """One conditional write. False when this notification was claimed before."""
        item = NotificationItem(f"NOTE#{dedup_key}", "NOTE", channel=channel, template=template,
                                claimed_at=now.isoformat(), expires_at=now + CLAIM_TTL)
        try:
            item.save(condition=NotificationItem.pk.does_not_exist())
            return True
        except PutError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise

    def release(self, dedup_key: str) -> None:
        NotificationItem(f"NOTE#{dedup_key}", "NOTE").delete()
