"""S3 for attachments: presigned uploads with a POST policy, checks after upload, and
short-lived presigned downloads. moto does not check presigned signatures or expiry,
so the application's own checks (size, type, magic bytes) carry the weight."""
from __future__ import annotations

import os

from .aws import client

MAX_BYTES = 10 * 1024 * 1024
UPLOAD_URL_SECONDS = 900  # read by the service for expires_at
DOWNLOAD_URL_SECONDS = 300


def bucket() -> str:
    return os.environ["ATTACHMENTS_BUCKET"]


def _s3():
    from botocore.config import Config
    import boto3
    return boto3.session.Session().client("s3", config=Config(signature_version="s3v4"))


def presigned_upload(key: str, content_type: str) -> dict:
    return _s3().generate_presigned_post(
        Bucket=bucket(), Key=key, Fields={"Content-Type": content_type},
        Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, MAX_BYTES]],
        ExpiresIn=UPLOAD_URL_SECONDS)


def presigned_download(key: str, filename: str) -> str:
    return _s3().generate_presigned_url("get_object", Params={
        "Bucket": bucket(), "Key": key,
        "ResponseContentDisposition": f'attachment; filename="{filename}"'}, ExpiresIn=DOWNLOAD_URL_SECONDS)


def inspect(key: str) -> dict | None:
    """Size, stored content type and the first bytes of an uploaded object; None if absent."""
    s3 = client("s3")
    try:
        head = s3.head_object(Bucket=bucket(), Key=key)
    except s3.exceptions.ClientError:
        return None
    first = b""
    if head["ContentLength"]:
        first = s3.get_object(Bucket=bucket(), Key=key, Range="bytes=0-15")["Body"].read()
    return {"size": head["ContentLength"], "content_type": head.get("ContentType", ""), "head": first}


def delete(key: str) -> None:
    client("s3").delete_object(Bucket=bucket(), Key=key)
