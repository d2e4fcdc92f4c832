"""Attachments in an S3 bucket. Browsers upload straight to the bucket with a presigned
POST and download with a presigned GET, so no file passes through API Gateway or
Lambda (whose request and response bodies are capped at a few megabytes).

The bucket (serverless.yml, AttachmentsBucket) expires what is left under uploads/
after a day, and allows the site's origin to POST to it (CORS).
"""

from __future__ import annotations

from typing import BinaryIO, Iterator

from botocore.config import Config
from botocore.exceptions import ClientError

from loket.aws import LazyClient
from loket.domain.attachments import content_disposition
from loket.ports import BlobInfo, UploadForm

# Signature V4 is what presigned POST policies and GETs need in every region; virtual
# host addressing gives the bucket's own host name (https://<bucket>.s3.<region>...).
CLIENT_CONFIG = Config(signature_version="s3v4", s3={"addressing_style": "virtual"},
                       retries={"mode": "standard", "max_attempts": 5})


class S3Blobs:
    """A BlobStore on one S3 bucket; safe to share between threads."""

    list_page = 1000  # keys per ListObjectsV2 page (S3's most)

    def __init__(self, bucket: str, *, region: str | None = None,
                 endpoint_url: str | None = None, client=None):
        self.bucket = bucket
        config = CLIENT_CONFIG
        if endpoint_url:  # A local endpoint (moto) has no bucket hosts.
            config = config.merge(Config(s3={"addressing_style": "path"}))
        self._client = LazyClient("s3", region=region, endpoint_url=endpoint_url,
                                  config=config, client=client)

    @property
    def client(self):
        """Made on first use, so a request that touches no file never loads it."""
        return self._client.get()

    def upload_form(self, key: str, *, content_type: str, size: int,
                    expires_in: int) -> UploadForm:
        # The policy holds the browser to what it announced: this key, this type and
        # exactly this many bytes; S3 refuses anything else.
        post = self.client.generate_presigned_post(
            Bucket=self.bucket, Key=key, Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", size, size]],
            ExpiresIn=expires_in)
        return UploadForm(url=post["url"], fields=dict(post["fields"]))

    def upload_allowed(self, key: str, token: str) -> bool:
        return False  # Browsers post to S3 itself, never to the app.

    def put(self, key: str, stream: BinaryIO, *, content_type: str) -> None:
        # s3transfer closes the file object when it is done; the caller still reads it
        # (a thumbnail is made from the same stream), so it gets one that stays open.
        self.client.upload_fileobj(_KeptOpen(stream), self.bucket, key,
                                   ExtraArgs={"ContentType": content_type or
                                              "application/octet-stream"})

    def size(self, key: str) -> int | None:
        try:
            return int(self.client.head_object(Bucket=self.bucket, Key=key)["ContentLength"])
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    def head(self, key: str, length: int) -> bytes:
        response = self.client.get_object(Bucket=self.bucket, Key=key,
                                          Range=f"bytes=0-{length - 1}")
        with response["Body"] as body:
            return body.read()

    def read(self, key: str) -> bytes:
        with self.client.get_object(Bucket=self.bucket, Key=key)["Body"] as body:
            return body.read()

    def open(self, key: str) -> BinaryIO:
        return self.client.get_object(Bucket=self.bucket, Key=key)["Body"]

    def copy(self, source: str, target: str) -> None:
        # One request within S3 for files up to 5 GB, far above any attachment limit.
        self.client.copy_object(Bucket=self.bucket, Key=target,
                                CopySource={"Bucket": self.bucket, "Key": source})

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def list_blobs(self, prefix: str) -> Iterator[BlobInfo]:
        # ListObjectsV2 answers at most 1,000 keys a page; the paginator asks for the next.
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=prefix, PaginationConfig={"PageSize": self.list_page})
        for page in pages:
            for item in page.get("Contents", ()):
                yield BlobInfo(item["Key"], item["LastModified"])

    def download_url(self, key: str, *, name: str, content_type: str, inline: bool = False,
                     expires_in: int) -> str | None:
        return self.client.generate_presigned_url("get_object", ExpiresIn=expires_in, Params={
            "Bucket": self.bucket, "Key": key, "ResponseContentType": content_type,
            "ResponseContentDisposition": content_disposition(name, inline=inline),
            "ResponseCacheControl": "private, no-store"})


class _KeptOpen:
    """A stream whose close() leaves the stream it wraps open."""

    def __init__(self, stream: BinaryIO):
        self._stream = stream

    def __getattr__(self, name: str):
        return getattr(self._stream, name)

    def close(self) -> None:
        pass

    @property
    def closed(self) -> bool:
        return False
