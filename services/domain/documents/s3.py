"""The S3-compatible object store (MinIO, AWS S3...) for version files, through boto3.

boto3 is synchronous: every call runs in a thread, so the event loop never waits on the store.
Credentials come from boto3's own chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile,
an instance role); the rest from the ``s3_*`` settings.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from datetime import datetime
from typing import Any

from services.domain.errors import FileDamaged, FileStoreUnavailable

logger = logging.getLogger(__name__)


class S3Store:
    """Objects keyed ``<prefix><organisation_id>/<version_id>`` in one bucket."""

    name = "s3"

    def __init__(
        self,
        *,
        bucket: str,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        timeout_seconds: float = 10.0,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix
        self.endpoint_url = endpoint_url
        self.region = region
        self.timeout_seconds = timeout_seconds
        self._client: Any = None
        self._lock = threading.Lock()

    def key(self, organisation_id: uuid.UUID, version_id: uuid.UUID) -> str:
        return f"{self.prefix}{organisation_id}/{version_id}"

    def client(self) -> Any:
        """The boto3 client, made on first use (a client is thread-safe; making one is not
        cheap, and a process that never touches the store should not pay for it)."""
        with self._lock:
            if self._client is None:
                import boto3
                from botocore.config import Config

                self._client = boto3.client(
                    "s3",
                    endpoint_url=self.endpoint_url,
                    region_name=self.region,
                    config=Config(
                        connect_timeout=self.timeout_seconds,
                        read_timeout=self.timeout_seconds,
                        retries={"max_attempts": 2, "mode": "standard"},
                        # MinIO and most S3-compatible servers want the bucket in the path.
                        s3={"addressing_style": "path"} if self.endpoint_url else {},
                    ),
                )
            return self._client

    async def put(
        self, organisation_id: uuid.UUID, version_id: uuid.UUID, data: bytes, sha256: str
    ) -> None:
        """Write the object (replacing any earlier copy), with its hash as metadata."""
        key = self.key(organisation_id, version_id)
        await self._call(
            "put_object", key, Bucket=self.bucket, Key=key, Body=data, Metadata={"sha256": sha256}
        )

    async def get(self, organisation_id: uuid.UUID, version_id: uuid.UUID) -> bytes:
        """The object's bytes, as stored (the caller checks them against the recorded hash)."""
        key = self.key(organisation_id, version_id)

        def read() -> bytes:
            answer = self.client().get_object(Bucket=self.bucket, Key=key)
            body: bytes = answer["Body"].read()
            return body

        return await self._run(read, key)

    async def delete(self, organisation_id: uuid.UUID, version_id: uuid.UUID) -> None:
        key = self.key(organisation_id, version_id)
        await self._call("delete_object", key, Bucket=self.bucket, Key=key)

    async def exists(self, organisation_id: uuid.UUID, version_id: uuid.UUID) -> bool:
        key = self.key(organisation_id, version_id)
        try:
            await self._call("head_object", key, Bucket=self.bucket, Key=key)
        except FileDamaged:
            return False
        return True

    async def listing(self) -> list[tuple[str, datetime]]:
        """Every object under the prefix: its key and when it was written."""

        def read() -> list[tuple[str, datetime]]:
            pages = self.client().get_paginator("list_objects_v2")
            return [
                (item["Key"], item["LastModified"])
                for page in pages.paginate(Bucket=self.bucket, Prefix=self.prefix)
                for item in page.get("Contents", [])
            ]

        listed: list[tuple[str, datetime]] = await self._run(read, f"bucket {self.bucket}")
        return listed

    async def ping(self) -> None:
        """The bucket answers (readiness): FileStoreUnavailable otherwise."""
        try:
            await self._call("head_bucket", f"bucket {self.bucket}", Bucket=self.bucket)
        except FileDamaged:  # the 404 of a bucket that does not exist
            raise FileStoreUnavailable(f"The bucket {self.bucket} does not exist.") from None

    async def _call(self, method: str, what: str, **kwargs: Any) -> Any:
        return await self._run(lambda: getattr(self.client(), method)(**kwargs), what)

    async def _run(self, call: Any, key: str) -> Any:
        """``call`` in a thread; the store's failures as domain errors, one log line each."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return await asyncio.to_thread(call)
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in ("NoSuchKey", "404", "NotFound"):
                raise FileDamaged(
                    f"The file is missing from the object store (bucket {self.bucket}, key {key}).",
                ) from None
            logger.warning("object store refused %s: %s", key, code or exc)
            raise FileStoreUnavailable(
                f"The object store refused the request ({code or 'error'}); try again shortly."
            ) from None
        except BotoCoreError as exc:
            logger.warning("object store unreachable for %s: %s", key, exc)
            raise FileStoreUnavailable(
                "The object store holding the file cannot be reached just now; try again shortly."
            ) from None
