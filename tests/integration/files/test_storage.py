"""The object storage adapters against what they talk to: a directory, and a real S3 API
(moto's server on loopback)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from edtech.platform.storage import (
    FilesystemStorage,
    ObjectMissingError,
    S3Storage,
    StorageNotSetUp,
    StorageNotSetUpError,
    storage_from_url,
)
from tests.integration.files.fixtures import S3_KEY, S3_SECRET, MotoS3


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def test_filesystem_keeps_bytes_under_tenant_keys_and_refuses_paths(tmp_path: Path) -> None:
    store = FilesystemStorage(tmp_path)
    await store.put(
        "inst-1/file-1", b"note", content_type="application/pdf", sha256=digest(b"note")
    )
    assert await store.get("inst-1/file-1") == b"note"
    assert (tmp_path / "inst-1" / "file-1").read_bytes() == b"note"
    assert [p.name for p in (tmp_path / "inst-1").iterdir()] == ["file-1"]  # no temp file left
    with pytest.raises(ValueError, match="checksum"):
        await store.put("inst-1/file-2", b"note", content_type="x/y", sha256=digest(b"other"))
    for key in ("../escape", "/abs", "inst-1/../../x", "inst-1//x", ""):
        with pytest.raises(ValueError, match="unsafe"):
            await store.get(key)
    await store.delete("inst-1/file-1")
    with pytest.raises(ObjectMissingError):
        await store.get("inst-1/file-1")
    assert (
        await store.download_url("inst-1/x", filename="a", content_type="x/y", ttl_seconds=60)
        is None
    )


async def test_s3_round_trip_and_presigned_download(moto_s3: MotoS3) -> None:
    bucket = moto_s3.new_bucket()
    store = S3Storage(
        bucket=bucket,
        endpoint=moto_s3.endpoint,
        access_key_id=S3_KEY,
        secret_access_key=S3_SECRET,
        path_style=True,
    )
    await store.start()
    data = b"%PDF-1.4 receipt"
    await store.put("inst-1/file-1", data, content_type="application/pdf", sha256=digest(data))
    assert await store.get("inst-1/file-1") == data
    head = moto_s3.client().head_object(Bucket=bucket, Key="inst-1/file-1")
    assert head["ContentType"] == "application/pdf"
    async with httpx.AsyncClient(timeout=30) as outside:
        url = await store.download_url(
            "inst-1/file-1",
            filename="receipt 1.pdf",
            content_type="application/pdf",
            ttl_seconds=120,
        )
        assert url is not None
        query = parse_qs(urlsplit(url).query)
        assert query["X-Amz-Expires"] == ["120"]  # short-lived
        assert urlsplit(url).path == f"/{bucket}/inst-1/file-1"
        got = await outside.get(url)
        assert got.status_code == 200
        assert got.content == data
        assert "receipt%201.pdf" in got.headers["content-disposition"]
    await store.delete("inst-1/file-1")
    with pytest.raises(ObjectMissingError):
        await store.get("inst-1/file-1")


def test_storage_url_chooses_the_adapter(tmp_path: Path) -> None:
    assert isinstance(storage_from_url("", demo=False), StorageNotSetUp)
    assert isinstance(storage_from_url("", demo=True), FilesystemStorage)
    fs = storage_from_url(f"file://{tmp_path}", demo=False)
    assert isinstance(fs, FilesystemStorage)
    assert fs.root == tmp_path
    s3 = storage_from_url(
        "s3://my-bucket?region=eu-west-1&endpoint=http://x:9000&path_style=1", demo=False
    )
    assert isinstance(s3, S3Storage)
    assert (s3.bucket, s3.region, s3.endpoint, s3.path_style) == (
        "my-bucket",
        "eu-west-1",
        "http://x:9000",
        True,
    )
    for bad in ("ftp://x", "s3://", "file:"):
        with pytest.raises(ValueError, match="EDTECH_STORAGE_URL"):
            storage_from_url(bad, demo=False)


async def test_unconfigured_storage_refuses_every_operation() -> None:
    store = StorageNotSetUp()
    with pytest.raises(StorageNotSetUpError):
        await store.put("a/b", b"x", content_type="x/y", sha256=digest(b"x"))
    with pytest.raises(StorageNotSetUpError):
        await store.get("a/b")


async def test_both_adapters_stat_and_list_what_they_hold(tmp_path: Path, moto_s3: MotoS3) -> None:
    s3 = S3Storage(
        bucket=moto_s3.new_bucket(),
        endpoint=moto_s3.endpoint,
        access_key_id=S3_KEY,
        secret_access_key=S3_SECRET,
        path_style=True,
    )
    for store in (FilesystemStorage(tmp_path / "files"), s3):
        assert [k async for k, _ in store.listing()] == []
        for key, data in (("inst-1/a", b"a" * 3), ("inst-2/b", b"b" * 5)):
            await store.put(key, data, content_type="application/pdf", sha256=digest(data))
        info = await store.stat("inst-2/b")
        assert info.size_bytes == 5
        assert info.modified_at.tzinfo is not None
        listed = {k: i.size_bytes async for k, i in store.listing()}
        assert listed == {"inst-1/a": 3, "inst-2/b": 5}
        with pytest.raises(ObjectMissingError):
            await store.stat("inst-1/missing")


async def test_s3_signs_an_upload_url_for_exact_bytes_and_a_directory_has_none(
    tmp_path: Path, moto_s3: MotoS3
) -> None:
    data = b"%PDF-1.4 note"
    kwargs = {
        "content_type": "application/pdf",
        "size_bytes": len(data),
        "sha256": digest(data),
        "ttl_seconds": 60,
    }
    assert await FilesystemStorage(tmp_path).upload_target("inst-1/u", **kwargs) is None
    bucket = moto_s3.new_bucket()
    s3 = S3Storage(
        bucket=bucket,
        endpoint=moto_s3.endpoint,
        access_key_id=S3_KEY,
        secret_access_key=S3_SECRET,
        path_style=True,
    )
    target = await s3.upload_target("inst-1/u", **kwargs)
    assert target is not None
    assert target.method == "PUT"
    query = parse_qs(urlsplit(target.url).query)
    assert query["X-Amz-Expires"] == ["60"]
    assert set(query["X-Amz-SignedHeaders"][0].split(";")) == {
        "content-length",
        "content-type",
        "host",
        "x-amz-checksum-sha256",
    }
    async with httpx.AsyncClient(timeout=30) as outside:
        put = await outside.put(target.url, content=data, headers=target.headers)
    assert put.status_code == 200
    assert await s3.get("inst-1/u") == data
