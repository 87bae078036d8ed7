"""The ClamAV adapter against a server speaking clamd's INSTREAM protocol on loopback (ClamAV's
own signatures cannot be downloaded here; see tests/integration/files/clamd.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from edtech.files.infrastructure.scanner import (
    CHUNK,
    ClamdScanner,
    NoScanner,
    ScannerUnavailableError,
    scanner_from_url,
)
from tests.integration.files.clamd import EICAR, FakeClamd


@pytest.fixture
def clamd() -> Iterator[FakeClamd]:
    server = FakeClamd()
    try:
        yield server
    finally:
        server.stop()


async def test_clean_bytes_pass_and_are_streamed_whole_in_chunks(clamd: FakeClamd) -> None:
    scanner = scanner_from_url(clamd.url)
    data = bytes(range(256)) * ((CHUNK * 2) // 256 + 7)  # three chunks, the last one short
    result = await scanner.scan(data)
    assert result.scanned
    assert not result.infected
    assert clamd.commands == [b"zINSTREAM\0"]
    assert clamd.scanned == [data]


async def test_the_eicar_test_file_is_found_with_its_signature(clamd: FakeClamd) -> None:
    result = await scanner_from_url(clamd.url).scan(b"%PDF-1.4\n" + EICAR + b"\n%%EOF")
    assert result.infected
    assert result.signature == "Eicar-Test-Signature"


async def test_a_scanner_that_is_down_or_answers_an_error_is_unavailable(
    clamd: FakeClamd,
) -> None:
    scanner = scanner_from_url(clamd.url)
    clamd.reply = b"INSTREAM size limit exceeded. ERROR\0"
    with pytest.raises(ScannerUnavailableError) as caught:
        await scanner.scan(b"x")
    assert caught.value.code == "scanner_unavailable"
    clamd.reply = None
    clamd.stop()
    with pytest.raises(ScannerUnavailableError):
        await scanner.scan(b"x")
    clamd.start()
    assert not (await scanner.scan(b"x")).infected


async def test_no_scanner_says_nothing_was_scanned() -> None:
    result = await NoScanner().scan(EICAR)
    assert not result.scanned
    assert not result.infected


def test_the_url_chooses_the_scanner() -> None:
    assert isinstance(scanner_from_url(""), NoScanner)
    tcp = scanner_from_url("tcp://127.0.0.1:3310")
    assert isinstance(tcp, ClamdScanner)
    assert (tcp.host, tcp.port, tcp.path) == ("127.0.0.1", 3310, None)
    unix = scanner_from_url("unix:///run/clamav/clamd.ctl")
    assert isinstance(unix, ClamdScanner)
    assert unix.path == "/run/clamav/clamd.ctl"
    for bad in ("clamd://x", "tcp://host", "unix://"):
        with pytest.raises(ValueError, match="EDTECH_CLAMD_URL"):
            scanner_from_url(bad)
