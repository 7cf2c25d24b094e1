"""Attachment downloads in AWS go through CloudFront, whose response-headers policy adds
`X-Content-Type-Options: nosniff` (S3 cannot). The URL is a CloudFront signed URL made
with a key from Secrets Manager. moto has no CloudFront to fetch from, so the signature
is checked here with the public key, the way CloudFront checks it."""
from __future__ import annotations

import base64
import json
from datetime import datetime, timezone
from urllib.parse import parse_qsl, urlsplit

import boto3
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from chalicelib.adapters.storage import CloudFrontDownloads, S3Storage
from chalicelib.config import Settings


def _cloudfront_b64decode(value: str) -> bytes:
    return base64.b64decode(value.replace("-", "+").replace("_", "=").replace("~", "/"))


def _settings(**kw) -> Settings:
    base = dict(stage="prod", region="eu-central-1", main_table="m", audit_table="a", routing_queue_url="",
                notification_queue_url="", public_base_url="https://x", attachments_bucket="b", mail_from="m@x")
    return Settings(**{**base, **kw})


def test_a_download_is_a_cloudfront_url_signed_with_the_stored_key_and_keeps_type_and_disposition(aws):
    from tools.ops import downloads_key
    public_pem = downloads_key("prod", secrets=boto3.client("secretsmanager", region_name="eu-central-1"))
    public = serialization.load_pem_public_key(public_pem.encode())
    downloads = CloudFrontDownloads.configured(_settings(
        downloads_base_url="https://d111.cloudfront.net", downloads_key_id="K2JCJMDEHXQW5F",
        downloads_signing_secret_id="acikkapi-prod/downloads-signing-key"))
    storage = S3Storage("acikkapi-prod-attachments-123", downloads=downloads)
    before = datetime.now(timezone.utc)
    url = storage.presigned_download("uploads/AAAA/34-maltepe.belediye/abc", 'rapor "son".pdf', "application/pdf")
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "d111.cloudfront.net",
                                                       "/uploads/AAAA/34-maltepe.belediye/abc")
    query = dict(parse_qsl(parts.query))
    assert query["response-content-type"] == "application/pdf"
    assert query["response-content-disposition"].startswith("attachment;")
    assert query["Key-Pair-Id"] == "K2JCJMDEHXQW5F"
    expires = int(query["Expires"])
    assert before.timestamp() + 290 <= expires <= before.timestamp() + 310       # 5 minutes
    signed = url.split("&Expires=")[0]
    canned = json.dumps({"Statement": [{"Resource": signed, "Condition": {"DateLessThan": {"AWS:EpochTime": expires}}}]},
                        separators=(",", ":"))
    public.verify(_cloudfront_b64decode(query["Signature"]), canned.encode(), padding.PKCS1v15(), hashes.SHA1())


def test_without_the_cloudfront_settings_downloads_stay_s3_presigned_urls(aws):
    assert CloudFrontDownloads.configured(_settings()) is None
    url = S3Storage("acikkapi-local-attachments").presigned_download("uploads/a/b/c", "a.pdf", "application/pdf")
    assert "X-Amz-Signature=" in url and "cloudfront" not in url


def test_a_new_key_replaces_the_stored_one(aws):
    from tools.ops import downloads_key
    sm = boto3.client("secretsmanager", region_name="eu-central-1")
    first = downloads_key("dev", secrets=sm)
    second = downloads_key("dev", secrets=sm)
    assert first != second
    stored = sm.get_secret_value(SecretId="acikkapi-dev/downloads-signing-key")["SecretString"]
    key = serialization.load_pem_private_key(stored.encode(), password=None)
    assert key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode() == second

