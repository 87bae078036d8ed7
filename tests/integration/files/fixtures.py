"""Fixtures of the files tests: a real S3 API on loopback (moto's server mode, its own
process), the node's storage on the filesystem or on it, and mail to the loopback SMTP server.

moto is a dev dependency (`moto[server]`); without its `moto_server` command the S3 runs skip
with a reason (and fail under EDTECH_REQUIRE_SERVICES=1).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from edtech.kernel.ids import new_id
from edtech.platform.serving import bind_socket
from edtech.settings import Settings
from tests.servers import TEST_SECRET
from tests.services import REQUIRE_SERVICES
from tests.smtp import SmtpServer

S3_KEY, S3_SECRET, S3_REGION = "testing-key", "testing-secret", "us-east-1"


class MotoS3:
    """`moto_server` on a free loopback port: a real S3 HTTP API, state in its memory."""

    def __init__(self, binary: str) -> None:
        sock = bind_socket()
        self.port = sock.getsockname()[1]
        sock.close()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [binary, "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), 0.5):
                    break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.05)

    def client(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            region_name=S3_REGION,
            endpoint_url=self.endpoint,
            aws_access_key_id=S3_KEY,
            aws_secret_access_key=S3_SECRET,
        )

    def new_bucket(self) -> str:
        name = f"edtech-{new_id().hex[:20]}"
        self.client().create_bucket(Bucket=name)
        return name

    def url(self, bucket: str) -> str:
        return f"s3://{bucket}?region={S3_REGION}&endpoint={self.endpoint}&path_style=1"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def moto_binary() -> str:
    found = shutil.which("moto_server") or shutil.which(
        "moto_server", path=str(Path(sys.executable).parent)
    )
    if found:
        return found
    reason = "moto_server is not installed: `uv sync` installs moto[server] (a dev dependency)"
    if REQUIRE_SERVICES:
        pytest.fail(f"EDTECH_REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def moto_s3() -> Iterator[MotoS3]:
    server = MotoS3(moto_binary())
    try:
        yield server
    finally:
        server.stop()


FULL = os.environ.get("EDTECH_FILES_FULL") == "1"


@pytest.fixture(params=["filesystem", "s3"] if FULL else ["paired"])
def storage_url(request: pytest.FixtureRequest, tmp_path: Path, database_url: str) -> str:
    """Where the node keeps files: the embedded default (a directory) or a real S3 API.

    By default each test runs twice — SQLite with a directory (the embedded product), and
    PostgreSQL with S3 (the scaled-out one); EDTECH_FILES_FULL=1 runs every pairing."""
    kind = request.param
    if kind == "paired":
        kind = "filesystem" if database_url.startswith("sqlite") else "s3"
    if kind == "filesystem":
        return f"file://{tmp_path / 'files'}"
    moto: MotoS3 = request.getfixturevalue("moto_s3")
    return moto.url(moto.new_bucket())


@pytest.fixture
def settings(database_url: str, storage_url: str, smtp_server: SmtpServer) -> Settings:
    return Settings(
        database_url=database_url,
        broker_url="memory://",
        secret_key=TEST_SECRET,
        log_json=True,
        log_level="WARNING",
        background_jobs=False,  # the tests run the jobs themselves
        storage_url=storage_url,
        s3_access_key_id=S3_KEY,
        s3_secret_access_key=S3_SECRET,
        mail_url=smtp_server.mail_url,
    )
