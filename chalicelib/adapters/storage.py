"""S3 for attachments: the `BlobStorage` port. Presigned uploads with a POST policy,
checks after upload, and short-lived presigned downloads. moto does not check
presigned signatures or expiry, so the application's own checks (size, type, magic
bytes) carry the weight."""
from __future__ import annotations

from .aws import client

MAX_BYTES = 10 * 1024 * 1024
DOWNLOAD_URL_SECONDS = 300


def _presigner():
    import boto3
    from botocore.config import Config
    return boto3.session.Session().client("s3", config=Config(signature_version="s3v4"))


class S3Storage:
    UPLOAD_URL_SECONDS = 900

    def __init__(self, bucket: str):
        self.bucket = bucket

    @staticmethod
    def attachment_key(application_no: str, owner: str, attachment_id: str) -> str:
        return f"uploads/{application_no}/{owner}/{attachment_id}"

    def presigned_upload(self, key: str, content_type: str) -> dict:
        return _presigner().generate_presigned_post(
            Bucket=self.bucket, Key=key, Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, MAX_BYTES]],
            ExpiresIn=self.UPLOAD_URL_SECONDS)

    def presigned_download(self, key: str, filename: str, content_type: str) -> str:
        """Always a download (never rendered by the browser), with the type the server
        checked, not the one the uploader declared."""
        from ..domain.attachments import content_disposition
        return _presigner().generate_presigned_url("get_object", Params={
            "Bucket": self.bucket, "Key": key, "ResponseContentType": content_type,
            "ResponseContentDisposition": content_disposition(filename)}, ExpiresIn=DOWNLOAD_URL_SECONDS)

    def read(self, key: str) -> bytes:
        """The whole object (at most MAX_BYTES; bigger ones were refused before)."""
        return client("s3").get_object(Bucket=self.bucket, Key=key, Range=f"bytes=0-{MAX_BYTES - 1}")["Body"].read()

    def inspect(self, key: str) -> dict | None:
        """Size, stored content type and the first bytes of an uploaded object; None if absent."""
        s3 = client("s3")
        try:
            head = s3.head_object(Bucket=self.bucket, Key=key)
        except s3.exceptions.ClientError:
            return None
        first = b""
        if head["ContentLength"]:
            first = s3.get_object(Bucket=self.bucket, Key=key, Range="bytes=0-15")["Body"].read()
        return {"size": head["ContentLength"], "content_type": head.get("ContentType", ""), "head": first}

    def delete(self, key: str) -> None:
        client("s3").delete_object(Bucket=self.bucket, Key=key)
