"""The malware scan port and its ClamAV adapter (clamd's INSTREAM protocol).

`EDTECH_CLAMD_URL` turns scanning on: `tcp://127.0.0.1:3310` or `unix:///run/clamav/clamd.ctl`
(Debian's `clamav-daemon`). Unset, nothing is scanned (`NoScanner`: the scan is an optional
hook, and each file says whether it was scanned). Set but not answering, every upload answers
503 `scanner_unavailable` and what was sent stays in quarantine — never a file let through
unscanned.

INSTREAM (clamd(8)): send `zINSTREAM\\0`, then chunks each prefixed with its length as a 4-byte
big-endian integer, then a zero length; clamd answers `stream: OK\\0`,
`stream: <signature> FOUND\\0`, or `… ERROR\\0` (for example over its StreamMaxLength).
"""

from __future__ import annotations

import abc
import asyncio
import struct
from dataclasses import dataclass
from urllib.parse import urlsplit

from edtech.kernel.errors import UnavailableError
from edtech.platform.observability.logging import get_logger

log = get_logger("edtech.files.scanner")

CHUNK = 64 * 1024


class ScannerUnavailableError(UnavailableError):
    """The malware scanner is set up but not answering: nothing is accepted until it does."""

    code = "scanner_unavailable"

    def __init__(self) -> None:
        super().__init__(
            "The malware scanner is not answering, so no file can be accepted now; "
            "try again later (what you sent is kept in quarantine, unused)."
        )


@dataclass(frozen=True)
class ScanResult:
    scanned: bool
    """False when no scanner is set up."""
    signature: str | None = None
    """The malware found, or None when clean."""

    @property
    def infected(self) -> bool:
        return self.signature is not None


class MalwareScanner(abc.ABC):
    """The port (a base class, so `component(MalwareScanner)` finds the adapter chosen)."""

    @abc.abstractmethod
    async def scan(self, data: bytes) -> ScanResult:
        """Scan `data`; `ScannerUnavailableError` if the scanner cannot say."""


class NoScanner(MalwareScanner):
    """No scanner set up: nothing is scanned, and results say so."""

    async def scan(self, data: bytes) -> ScanResult:
        return ScanResult(scanned=False)


@dataclass(frozen=True)
class ClamdScanner(MalwareScanner):
    """clamd over TCP or a Unix socket, one connection per scan."""

    host: str | None = None
    port: int | None = None
    path: str | None = None
    timeout: float = 30.0

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self.path is not None:
            return await asyncio.open_unix_connection(self.path)
        return await asyncio.open_connection(self.host, self.port)

    async def _instream(self, data: bytes) -> bytes:
        reader, writer = await self._open()
        try:
            writer.write(b"zINSTREAM\0")
            for start in range(0, len(data), CHUNK):
                chunk = data[start : start + CHUNK]
                writer.write(struct.pack(">I", len(chunk)) + chunk)
                await writer.drain()
            writer.write(struct.pack(">I", 0))
            await writer.drain()
            return await reader.readuntil(b"\0")
        finally:
            writer.close()

    async def scan(self, data: bytes) -> ScanResult:
        try:
            reply = await asyncio.wait_for(self._instream(data), self.timeout)
        except (
            OSError,
            TimeoutError,
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
        ) as exc:
            log.warning("scanner_unavailable", error=f"{type(exc).__name__}: {exc}")
            raise ScannerUnavailableError() from exc
        text = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
        _, _, verdict = text.partition(": ")
        if verdict == "OK":
            return ScanResult(scanned=True)
        if verdict.endswith(" FOUND"):
            return ScanResult(scanned=True, signature=verdict.removesuffix(" FOUND"))
        log.warning("scanner_error", reply=text[:200])
        raise ScannerUnavailableError()


def scanner_from_url(url: str) -> MalwareScanner:
    """The scanner `EDTECH_CLAMD_URL` names; ValueError if malformed."""
    if not url:
        return NoScanner()
    parts = urlsplit(url)
    if parts.scheme == "tcp" and parts.hostname and parts.port:
        return ClamdScanner(host=parts.hostname, port=parts.port)
    if parts.scheme == "unix" and parts.path:
        return ClamdScanner(path=parts.path)
    raise ValueError("EDTECH_CLAMD_URL must be tcp://host:port or unix:///path/to/clamd.ctl")
