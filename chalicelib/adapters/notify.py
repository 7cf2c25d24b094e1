"""SES (e-mail), SNS (SMS), and the notification claim records in DynamoDB."""
from __future__ import annotations

from datetime import datetime

from ..config import settings
from . import itemkeys as K
from .aws import client
from .dynamo import NotificationItem



class AwsSender:
    def send_sms(self, phone: str, body: str) -> None:
        client("sns").publish(PhoneNumber=phone, Message=body, MessageAttributes={
            "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}})

    def send_email(self, to: str, subject: str, body: str) -> None:
        client("sesv2").send_email(
            FromEmailAddress=settings().mail_from, Destination={"ToAddresses": [to]},
            Content={"Simple": {"Subject": {"Data": subject, "Charset": "UTF-8"},
                                "Body": {"Text": {"Data": body, "Charset": "UTF-8"}}}})

    @staticmethod
    def surely_not_sent(exc: Exception) -> bool:
        """The provider refused the message or could not be reached at all."""
        from botocore.exceptions import ClientError, EndpointConnectionError
        return isinstance(exc, (ClientError, EndpointConnectionError))


class ClaimStore:
    def claim(self, dedup_key: str, channel: str, template: str, now: datetime) -> bool:
        """One conditional write. False when this notification was claimed before."""
        from ..domain.retention import kept_for
        from .store import conditional_put
        item = NotificationItem(*K.notification_key(dedup_key), channel=channel, template=template,
                                claimed_at=now.isoformat(), expires_at=now + kept_for("notification_claim"))
        return conditional_put(item, NotificationItem.pk.does_not_exist())

    def release(self, dedup_key: str) -> None:
        NotificationItem(*K.notification_key(dedup_key)).delete()
