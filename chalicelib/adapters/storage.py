"""S3 for attachments: the `BlobStorage` port. Presigned uploads with a POST policy,
checks after upload, and short-lived downloads. moto does not check presigned
signatures or expiry, so the application's own checks (size, type, magic bytes) carry
the weight.

Downloads, in AWS, go through CloudFront (`CloudFrontDownloads`): S3 cannot add
`X-Content-Type-Options: nosniff` to an object, and a CloudFront response-headers policy
can (infra/template.json, `AttachmentsHeadersPolicy`). The URL is a CloudFront signed URL;
S3 still applies the checked content type and the attachment disposition, forwarded by
the origin request policy. Without that configuration (the local stack) downloads are
S3 presigned URLs."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote, urlencode

from ..domain.attachments import content_disposition
from .aws import client
from .secrets import _secret

MAX_BYTES = 10 * 1024 * 1024
DOWNLOAD_URL_SECONDS = 300


def _presigner():
    return client("s3", signature_version="s3v4")


class CloudFrontDownloads:
    """Signed CloudFront URLs (canned policy, RSA-SHA1 as CloudFront requires) for the
    attachments distribution; the private key comes from Secrets Manager, once per container."""

    def __init__(self, base_url: str, key_id: str, key_loader):
        self.base_url, self.key_id, self._key_loader = base_url.rstrip("/"), key_id, key_loader
        self._key: Any = None

    @classmethod
    def configured(cls, s) -> "CloudFrontDownloads | None":
        if not (s.downloads_base_url and s.downloads_key_id and s.downloads_signing_secret_id):
            return None
        return cls(s.downloads_base_url, s.downloads_key_id, lambda: _secret(s.downloads_signing_secret_id))

    def _sign(self, message: bytes) -> bytes:
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import padding, rsa
        if self._key is None:
            key = serialization.load_pem_private_key(self._key_loader().encode("ascii"), password=None)
            if not isinstance(key, rsa.RSAPrivateKey):
                raise RuntimeError("the downloads signing key must be an RSA key (CloudFront's requirement)")
            self._key = key
        return self._key.sign(message, padding.PKCS1v15(), hashes.SHA1())  # noqa: S303 - CloudFront's algorithm

    def url(self, key: str, content_type: str, disposition: str, *, expires_at: datetime) -> str:
        from botocore.signers import CloudFrontSigner
        query = urlencode({"response-content-disposition": disposition, "response-content-type": content_type},
                          quote_via=quote)
        return CloudFrontSigner(self.key_id, self._sign).generate_presigned_url(
            f"{self.base_url}/{quote(key)}?{query}", date_less_than=expires_at)


class S3Storage:
    UPLOAD_URL_SECONDS = 900

    def __init__(self, bucket: str, *, downloads: CloudFrontDownloads | None = None):
        self.bucket = bucket
        self.downloads = downloads

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
        if self.downloads is not None:
            return self.downloads.url(key, content_type, content_disposition(filename),
                                      expires_at=datetime.now(timezone.utc) + timedelta(seconds=DOWNLOAD_URL_SECONDS))
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

    @staticmethod
    def kept_key(upload_key: str) -> str:
        """Where an accepted upload lives: uploads/ expires after 2 days (the bucket's
        lifecycle rule for files never claimed), files/ is kept with the case."""
        return "files/" + upload_key.removeprefix("uploads/")

    def take(self, key: str) -> str | None:
        """Moves an upload to a key only the server writes (files/…), before anything is
        checked, and returns that key; None when there is no upload. The presigned form
        can post to the upload key again at any time (a re-post within a second turned a
        checked PDF into HTML), never to the taken copy: what is checked is what is kept.
        A copy taken before is never replaced (a retried answer sends the same file again,
        and a re-post after it must not reach a file an answer already holds)."""
        kept = self.kept_key(key)
        s3 = client("s3")
        try:
            s3.head_object(Bucket=self.bucket, Key=kept)
            s3.delete_object(Bucket=self.bucket, Key=key)
            return kept
        except s3.exceptions.ClientError:
            pass
        try:
            s3.copy_object(Bucket=self.bucket, Key=kept, CopySource={"Bucket": self.bucket, "Key": key},
                           MetadataDirective="COPY")
        except s3.exceptions.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                return None
            raise
        s3.delete_object(Bucket=self.bucket, Key=key)
        return kept

    def write(self, key: str, body: bytes, content_type: str) -> None:
        """Replaces an object (a photo once its metadata is stripped)."""
        client("s3").put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type)

    def delete_case_objects(self, application_no: str) -> int:
        """Every object under the case's prefix (uploads never attached included)."""
        s3, deleted = client("s3"), 0
        for prefix in (f"uploads/{application_no}/", f"files/{application_no}/"):
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
                keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
                if keys:
                    s3.delete_objects(Bucket=self.bucket, Delete={"Objects": keys, "Quiet": True})
                    deleted += len(keys)
        return deleted
