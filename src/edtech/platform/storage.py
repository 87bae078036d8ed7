"""Object storage: the `ObjectStorage` port, its filesystem and S3 adapters, and the one built
from settings.

`EDTECH_STORAGE_URL` chooses the adapter:

* `file:///var/lib/edtech/files` (or `file:relative/dir`) — a directory on this node's disk, the
  embedded default (one process). Downloads stream through the node, which re-checks access;
  direct uploads go to the node's own signed route (`upload_target` is None).
* `s3://bucket?region=eu-west-1&endpoint=https://…` — any S3-compatible store (AWS, MinIO, R2);
  credentials from `EDTECH_S3_ACCESS_KEY_ID` / `EDTECH_S3_SECRET_ACCESS_KEY`, else boto3's usual
  chain (environment, instance role). Downloads are short-lived presigned URLs handed out only
  after the node checked access; nothing in the bucket is public. Direct uploads are presigned
  PUT URLs whose length, type and SHA-256 are signed headers (`upload_target`).

Demo mode with no URL stores files under `./edtech-files`. Outside demo mode, with no URL set,
the node gets `StorageNotSetUp`: every operation answers a 503 problem — never a silent
fallback to a directory nobody backs up.

Keys are opaque and chosen by the caller (the files slice prefixes them with the tenant id);
this module only refuses keys that could escape their directory.
"""

from __future__ import annotations

import abc
import asyncio
import base64
import hashlib
import os
import re
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from edtech.kernel.errors import UnavailableError
from edtech.platform.observability.logging import get_logger
from edtech.settings import Settings

log = get_logger("edtech.storage")

DEMO_DIRECTORY = "./edtech-files"
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$")


class StorageNotSetUpError(UnavailableError):
    """The node has nowhere to keep files (no `EDTECH_STORAGE_URL` outside demo mode)."""

    code = "storage_not_set_up"

    def __init__(self) -> None:
        super().__init__(
            "File storage is not set up on this server: ask the operator to set EDTECH_STORAGE_URL."
        )


class StorageFailedError(UnavailableError):
    """The store refused the operation or could not be reached."""

    code = "storage_failed"

    def __init__(self) -> None:
        super().__init__("The file store is not answering; try again later.")


class ObjectMissingError(Exception):
    """No object under this key (a bug or a lost file: the database says it exists)."""


def check_key(key: str) -> str:
    """The key, if it is a plain relative path of safe segments (no `..`, no leading `/`)."""
    if not _KEY.fullmatch(key) or ".." in key.split("/"):
        raise ValueError(f"unsafe storage key {key!r}")
    return key


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class ObjectInfo:
    """What the store says about an object: its size and when it was last written."""

    size_bytes: int
    modified_at: datetime


@dataclass(frozen=True)
class UploadTarget:
    """Where a client sends an upload's bytes itself: `method` to `url` with exactly these
    `headers` (they are part of the signature)."""

    method: str
    url: str
    headers: dict[str, str]


class ObjectStorage(abc.ABC):
    """The port: keeps bytes under a key. A base class (not a Protocol) so the node's component
    registry answers `component(ObjectStorage)` with whichever adapter the settings chose."""

    @abc.abstractmethod
    async def put(self, key: str, data: bytes, *, content_type: str, sha256: str) -> None:
        """Store `data` under `key`; the store verifies the checksum where it can."""

    @abc.abstractmethod
    async def get(self, key: str) -> bytes:
        """The bytes under `key`; `ObjectMissingError` if there are none."""

    @abc.abstractmethod
    async def delete(self, key: str) -> None:
        """Remove `key` (nothing happens if it is already gone)."""

    @abc.abstractmethod
    async def download_url(
        self, key: str, *, filename: str, content_type: str, ttl_seconds: int
    ) -> str | None:
        """A short-lived URL the client may fetch directly, or None: stream through the node."""

    @abc.abstractmethod
    async def stat(self, key: str) -> ObjectInfo:
        """Size and last write of `key`; `ObjectMissingError` if there is none."""

    async def upload_target(
        self, key: str, *, content_type: str, size_bytes: int, sha256: str, ttl_seconds: int
    ) -> UploadTarget | None:
        """A short-lived URL the client may PUT exactly these bytes to, or None: the node
        receives them itself (on its own signed route)."""
        return None

    @abc.abstractmethod
    def listing(self) -> AsyncIterator[tuple[str, ObjectInfo]]:
        """Every object's key and info (for sweeps; order unspecified)."""


@dataclass(frozen=True)
class FilesystemStorage(ObjectStorage):
    """Files under one directory, written atomically (a temporary file renamed into place)."""

    root: Path

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    async def put(self, key: str, data: bytes, *, content_type: str, sha256: str) -> None:
        if sha256_hex(data) != sha256:
            raise ValueError("checksum mismatch")
        path = self._path(key)

        def write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise

        try:
            await asyncio.to_thread(write)
        except OSError as exc:
            log.warning("storage_failed", op="put", error=f"{type(exc).__name__}: {exc}")
            raise StorageFailedError() from exc

    async def get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError as exc:
            raise ObjectMissingError(key) from exc
        except OSError as exc:
            log.warning("storage_failed", op="get", error=f"{type(exc).__name__}: {exc}")
            raise StorageFailedError() from exc

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)

    async def download_url(
        self, key: str, *, filename: str, content_type: str, ttl_seconds: int
    ) -> str | None:
        return None  # the node streams the bytes after re-checking access

    async def stat(self, key: str) -> ObjectInfo:
        path = self._path(key)
        try:
            found = await asyncio.to_thread(path.stat)
        except FileNotFoundError as exc:
            raise ObjectMissingError(key) from exc
        return ObjectInfo(found.st_size, datetime.fromtimestamp(found.st_mtime, UTC))

    async def listing(self) -> AsyncIterator[tuple[str, ObjectInfo]]:
        def walk() -> list[tuple[str, ObjectInfo]]:
            found = []
            for path in self.root.rglob("*"):
                if path.is_file() and not path.name.startswith("."):
                    info = path.stat()
                    key = path.relative_to(self.root).as_posix()
                    modified = datetime.fromtimestamp(info.st_mtime, UTC)
                    found.append((key, ObjectInfo(info.st_size, modified)))
            return found

        if not self.root.exists():
            return
        for item in await asyncio.to_thread(walk):
            yield item


@dataclass
class S3Storage(ObjectStorage):
    """One bucket of an S3-compatible store, through boto3 in worker threads (its clients are
    thread-safe; one per node)."""

    bucket: str
    region: str = "us-east-1"
    endpoint: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None
    path_style: bool = False
    _client: Any = field(default=None, repr=False)

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3  # imported on first use: a filesystem node never loads it
            from botocore.config import Config

            self._client = boto3.client(
                "s3",
                region_name=self.region,
                endpoint_url=self.endpoint,
                aws_access_key_id=self.access_key_id,
                aws_secret_access_key=self.secret_access_key,
                config=Config(
                    signature_version="s3v4",
                    s3={"addressing_style": "path" if self.path_style else "auto"},
                    retries={"max_attempts": 3, "mode": "standard"},
                    connect_timeout=5,
                    read_timeout=30,
                ),
            )
        return self._client

    async def start(self) -> None:
        """Build the client before the node serves (it reads credentials and configuration)."""
        await asyncio.to_thread(lambda: self.client)

    async def _call(self, op: str, **kwargs: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return await asyncio.to_thread(getattr(self.client, op), **kwargs)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise ObjectMissingError(kwargs.get("Key", "")) from exc
            log.warning("storage_failed", op=op, error=f"{type(exc).__name__}: {exc}")
            raise StorageFailedError() from exc
        except BotoCoreError as exc:
            log.warning("storage_failed", op=op, error=f"{type(exc).__name__}: {exc}")
            raise StorageFailedError() from exc

    async def put(self, key: str, data: bytes, *, content_type: str, sha256: str) -> None:
        digest = bytes.fromhex(sha256)
        await self._call(
            "put_object",
            Bucket=self.bucket,
            Key=check_key(key),
            Body=data,
            ContentType=content_type,
            # The store recomputes it and refuses the upload on a mismatch.
            ChecksumSHA256=base64.b64encode(digest).decode(),
        )

    async def get(self, key: str) -> bytes:
        found = await self._call("get_object", Bucket=self.bucket, Key=check_key(key))
        body = found["Body"]
        try:
            data: bytes = await asyncio.to_thread(body.read)
        finally:
            body.close()
        return data

    async def delete(self, key: str) -> None:
        await self._call("delete_object", Bucket=self.bucket, Key=check_key(key))

    async def download_url(
        self, key: str, *, filename: str, content_type: str, ttl_seconds: int
    ) -> str | None:
        # Signing is local: no request to the store.
        url: str = self.client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": check_key(key),
                "ResponseContentType": content_type,
                "ResponseContentDisposition": f"attachment; filename*=UTF-8''{quote(filename)}",
            },
            ExpiresIn=ttl_seconds,
        )
        return url

    async def stat(self, key: str) -> ObjectInfo:
        found = await self._call("head_object", Bucket=self.bucket, Key=check_key(key))
        modified: datetime = found["LastModified"]
        return ObjectInfo(int(found["ContentLength"]), modified.astimezone(UTC))

    async def listing(self) -> AsyncIterator[tuple[str, ObjectInfo]]:
        token: str | None = None
        while True:
            kwargs: dict[str, Any] = {"Bucket": self.bucket, "MaxKeys": 1000}
            if token:
                kwargs["ContinuationToken"] = token
            page = await self._call("list_objects_v2", **kwargs)
            for item in page.get("Contents", []):
                modified: datetime = item["LastModified"]
                yield item["Key"], ObjectInfo(int(item["Size"]), modified.astimezone(UTC))
            token = page.get("NextContinuationToken")
            if not page.get("IsTruncated") or not token:
                return

    async def upload_target(
        self, key: str, *, content_type: str, size_bytes: int, sha256: str, ttl_seconds: int
    ) -> UploadTarget | None:
        # Length, type and checksum are signed headers: the store refuses other bytes (moto's
        # server mode does not check signatures; the node checks again when the upload is
        # confirmed).
        checksum = base64.b64encode(bytes.fromhex(sha256)).decode()
        url: str = self.client.generate_presigned_url(
            "put_object",
            Params={
                "Bucket": self.bucket,
                "Key": check_key(key),
                "ContentType": content_type,
                "ContentLength": size_bytes,
                "ChecksumSHA256": checksum,
            },
            ExpiresIn=ttl_seconds,
        )
        headers = {
            "Content-Type": content_type,
            "Content-Length": str(size_bytes),
            "x-amz-checksum-sha256": checksum,
        }
        return UploadTarget("PUT", url, headers)


class StorageNotSetUp(ObjectStorage):
    """What a node has when storage is not configured: every operation is a 503 problem."""

    async def put(self, key: str, data: bytes, *, content_type: str, sha256: str) -> None:
        raise StorageNotSetUpError()

    async def get(self, key: str) -> bytes:
        raise StorageNotSetUpError()

    async def delete(self, key: str) -> None:
        raise StorageNotSetUpError()

    async def download_url(
        self, key: str, *, filename: str, content_type: str, ttl_seconds: int
    ) -> str | None:
        raise StorageNotSetUpError()

    async def stat(self, key: str) -> ObjectInfo:
        raise StorageNotSetUpError()

    async def listing(self) -> AsyncIterator[tuple[str, ObjectInfo]]:
        raise StorageNotSetUpError()
        yield  # an async generator that yields nothing


def storage_is_set_up(storage: ObjectStorage) -> bool:
    return not isinstance(storage, StorageNotSetUp)


def require_storage(storage: ObjectStorage) -> None:
    """Refuse (503) before changing anything when this node has nowhere to keep files."""
    if not storage_is_set_up(storage):
        raise StorageNotSetUpError()


def storage_from_settings(settings: Settings) -> ObjectStorage:
    """The node's `ObjectStorage` component (built once by the composition root)."""
    return storage_from_url(
        settings.storage_url,
        demo=settings.demo,
        access_key_id=settings.s3_access_key_id or None,
        secret_access_key=settings.s3_secret_access_key or None,
    )


def storage_from_url(
    url: str,
    *,
    demo: bool,
    access_key_id: str | None = None,
    secret_access_key: str | None = None,
) -> ObjectStorage:
    """The adapter `EDTECH_STORAGE_URL` names (see the module docstring); ValueError if
    malformed."""
    if not url:
        return FilesystemStorage(Path(DEMO_DIRECTORY).resolve()) if demo else StorageNotSetUp()
    parts = urlsplit(url)
    if parts.scheme == "file":
        directory = parts.path if not parts.netloc else f"//{parts.netloc}{parts.path}"
        if not directory:
            raise ValueError("EDTECH_STORAGE_URL=file:… needs a directory")
        return FilesystemStorage(Path(directory).resolve())
    if parts.scheme == "s3" and parts.hostname:
        query = parse_qs(parts.query)
        return S3Storage(
            bucket=parts.hostname,
            region=query.get("region", ["us-east-1"])[0],
            endpoint=query.get("endpoint", [None])[0],
            access_key_id=access_key_id,
            secret_access_key=secret_access_key,
            path_style=query.get("path_style", ["0"])[0] in ("1", "true", "yes"),
        )
    raise ValueError("EDTECH_STORAGE_URL must be file:///directory or s3://bucket?region=…")
