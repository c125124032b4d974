"""Evidence on any S3-compatible object store (AWS S3, SeaweedFS, MinIO, Ceph RGW...), for several
app servers sharing the same files. `MP_MEDIA_URL=s3://bucket/prefix`; the endpoint, region and keys
come from MP_S3_*.

Every call that cannot reach the store (refused, timed out, 5xx) raises StorageDown: timeouts are
short and retries few, so an upload answers 503 within seconds instead of hanging the phone.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import boto3
from boto3.exceptions import Boto3Error
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from app.settings import Settings
from app.storage.base import CHUNK, MissingFile, StorageDown, checked_name

MISSING_CODES = ("NoSuchKey", "404", "NotFound")
# Uploads above 8 MB go in parts, so a large recording streams to the store instead of one huge PUT.
TRANSFER = TransferConfig(multipart_threshold=8 * 1024 * 1024, multipart_chunksize=8 * 1024 * 1024,
                          use_threads=False)


class S3Storage:
    def __init__(self, *, bucket: str, prefix: str, client: Any, public_client: Any | None,
                 link_seconds: int, scratch: Path) -> None:
        self.bucket, self.prefix = bucket, prefix.strip("/")
        self.client, self.public_client, self.link_seconds = client, public_client, link_seconds
        self.description = f"s3://{bucket}/{self.prefix}" if self.prefix else f"s3://{bucket}"
        self.scratch = scratch

    @classmethod
    def from_url(cls, url: str, settings: Settings) -> "S3Storage":
        parsed = urlparse(url)
        if not parsed.netloc:
            raise ValueError(f"{url!r} names no bucket: use s3://bucket/prefix")
        return cls(bucket=parsed.netloc, prefix=parsed.path, client=_client(settings, settings.s3_endpoint_url),
                   public_client=_client(settings, settings.s3_public_url) if settings.s3_public_url else None,
                   link_seconds=settings.s3_link_seconds,
                   scratch=settings.var_dir / "uploads")

    def _key(self, name: str) -> str:
        name = checked_name(name)
        return f"{self.prefix}/{name}" if self.prefix else name

    def put(self, name: str, source: Path, *, content_type: str) -> None:
        try:
            self.client.upload_file(str(source), self.bucket, self._key(name), Config=TRANSFER,
                                    ExtraArgs={"ContentType": content_type})
        except (BotoCoreError, ClientError, Boto3Error) as failure:  # Boto3Error: S3UploadFailedError
            raise StorageDown() from failure

    def open(self, name: str) -> Iterator[bytes]:
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self._key(name))["Body"]
        except ClientError as failure:
            if failure.response.get("Error", {}).get("Code") in MISSING_CODES:
                raise MissingFile(name) from failure
            raise StorageDown() from failure
        except BotoCoreError as failure:
            raise StorageDown() from failure

        def chunks() -> Iterator[bytes]:
            try:
                yield from body.iter_chunks(CHUNK)
            finally:
                body.close()

        return chunks()

    def delete(self, name: str) -> None:
        try:
            checked_name(name)
        except MissingFile:
            return
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._key(name))
        except (BotoCoreError, ClientError) as failure:
            raise StorageDown() from failure

    def names(self) -> Iterator[str]:
        start = f"{self.prefix}/" if self.prefix else ""
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=start):
                for entry in page.get("Contents", []):
                    name = entry["Key"][len(start):]
                    if name and "/" not in name:
                        yield name
        except (BotoCoreError, ClientError) as failure:
            raise StorageDown() from failure

    def check(self) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except (BotoCoreError, ClientError) as failure:
            raise StorageDown() from failure

    def local_path(self, name: str) -> Path | None:
        return None

    def link(self, name: str, *, content_type: str, filename: str) -> str | None:
        if self.public_client is None:
            return None
        return str(self.public_client.generate_presigned_url(
            "get_object", ExpiresIn=self.link_seconds,
            Params={"Bucket": self.bucket, "Key": self._key(name), "ResponseContentType": content_type,
                    "ResponseContentDisposition": f'inline; filename="{filename}"',
                    "ResponseCacheControl": f"private, max-age={self.link_seconds}"}))


def _client(settings: Settings, endpoint: str) -> Any:
    config = Config(connect_timeout=3, read_timeout=20, retries={"mode": "standard", "max_attempts": 2},
                    s3={"addressing_style": "path"}, signature_version="s3v4")
    return boto3.client("s3", endpoint_url=endpoint or None, region_name=settings.s3_region,
                        aws_access_key_id=settings.s3_access_key_id or None,
                        aws_secret_access_key=settings.s3_secret_access_key or None, config=config)
