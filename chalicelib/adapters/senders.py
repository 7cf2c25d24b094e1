"""The `Senders` port in AWS: SNS for SMS, SES for e-mail, and an HTTPS POST for an
institution's own system (the `webhook` delivery method)."""
from __future__ import annotations

import urllib.error
import urllib.request
from urllib.parse import urlsplit

from ..config import settings
from .aws import client

WEBHOOK_TIMEOUT_SECONDS = 5
WEBHOOK_MAX_ANSWER_BYTES = 64 * 1024


class WebhookRefused(Exception):
    """The institution's system answered with a status that is not 2xx (it did not take
    the message), or the address is not one we send to."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):   # a redirect could point anywhere: never followed
        return None


_opener = urllib.request.build_opener(_NoRedirects)


class AwsSenders:
    def send_sms(self, phone: str, body: str) -> None:
        client("sns").publish(PhoneNumber=phone, Message=body, MessageAttributes={
            "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}})

    def send_email(self, to: str, subject: str, body: str) -> None:
        client("sesv2").send_email(
            FromEmailAddress=settings().mail_from, Destination={"ToAddresses": [to]},
            Content={"Simple": {"Subject": {"Data": subject, "Charset": "UTF-8"},
                                "Body": {"Text": {"Data": body, "Charset": "UTF-8"}}}})

    def post_webhook(self, url: str, body: bytes, headers: dict[str, str]) -> None:
        """One POST, bounded: 5 s, no redirects, at most 64 KiB of the answer read."""
        parts = urlsplit(url)
        if parts.scheme != "https" and not (settings().is_local and parts.hostname in ("127.0.0.1", "localhost")):
            raise WebhookRefused("only https addresses are sent to")
        request = urllib.request.Request(url, data=body, method="POST",
                                         headers={"Content-Type": "application/json; charset=utf-8", **headers})
        try:
            with _opener.open(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as answer:  # noqa: S310 - scheme checked
                answer.read(WEBHOOK_MAX_ANSWER_BYTES)
                if not 200 <= answer.status < 300:
                    raise WebhookRefused(f"status {answer.status}")
        except urllib.error.HTTPError as exc:
            raise WebhookRefused(f"status {exc.code}") from None

    @staticmethod
    def surely_not_sent(exc: Exception) -> bool:
        """The provider refused the message or could not be reached at all."""
        from botocore.exceptions import ClientError, EndpointConnectionError
        if isinstance(exc, WebhookRefused):
            return True
        if isinstance(exc, urllib.error.URLError) and isinstance(exc.reason, ConnectionRefusedError):
            return True
        return isinstance(exc, (ClientError, EndpointConnectionError))
