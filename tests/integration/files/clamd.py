"""A small server speaking clamd's protocol on loopback, for the ClamAV adapter's tests.

ClamAV's signature databases cannot be downloaded on this machine (no network beyond package
registries, and `clamav-daemon` refuses to start without them), so this stands in for clamd:
it speaks the same INSTREAM protocol (clamd(8): `zINSTREAM\\0`, length-prefixed chunks, a zero
length, then one `\\0`-terminated reply) and "detects" exactly one thing, the EICAR test
string, as `Eicar-Test-Signature` — what a real clamd answers for it. It also answers
`zPING\\0` and enforces a StreamMaxLength like clamd's. It runs in its own thread (a plain
socket server), so it is independent of the test's event loop.
"""

from __future__ import annotations

import socketserver
import struct
import threading

# The anti-malware test file (eicar.org); every scanner reports it. Split so that no scanner
# on a developer's machine quarantines this source file.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
MAX_STREAM = 4 * 1024 * 1024


class _Handler(socketserver.BaseRequestHandler):
    server: FakeClamd._Server

    def _read(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            got = self.request.recv(n - len(data))
            if not got:
                raise ConnectionError("client went away")
            data += got
        return data

    def _command(self) -> bytes:
        data = b""
        while not data.endswith(b"\0"):
            got = self.request.recv(1)
            if not got:
                raise ConnectionError("client went away")
            data += got
        return data

    def handle(self) -> None:
        command = self._command()
        self.server.owner.commands.append(command)
        if command == b"zPING\0":
            self.request.sendall(b"PONG\0")
            return
        if command != b"zINSTREAM\0":
            self.request.sendall(b"UNKNOWN COMMAND\0")
            return
        received = bytearray()
        while True:
            (length,) = struct.unpack(">I", self._read(4))
            if length == 0:
                break
            received += self._read(length)
            if len(received) > MAX_STREAM:
                self.request.sendall(b"INSTREAM size limit exceeded. ERROR\0")
                return
        self.server.owner.scanned.append(bytes(received))
        if self.server.owner.reply is not None:
            self.request.sendall(self.server.owner.reply)
        elif EICAR in received:
            self.request.sendall(b"stream: Eicar-Test-Signature FOUND\0")
        else:
            self.request.sendall(b"stream: OK\0")


class FakeClamd:
    """clamd on 127.0.0.1:<free port>; `url` is what EDTECH_CLAMD_URL would say."""

    class _Server(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True
        owner: FakeClamd

    def __init__(self) -> None:
        self.commands: list[bytes] = []
        self.scanned: list[bytes] = []
        self.reply: bytes | None = None  # force a reply (a broken clamd)
        self.port = 0
        self._running: tuple[FakeClamd._Server, threading.Thread] | None = None
        self.start()
        self.url = f"tcp://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Listen (again, on the same port after `stop`)."""
        if self._running is None:
            server = self._Server(("127.0.0.1", self.port), _Handler)
            server.owner = self
            self.port = server.server_address[1]
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            self._running = (server, thread)

    def stop(self) -> None:
        """Stop listening (the port refuses connections, as a stopped clamd's does)."""
        if self._running is not None:
            server, thread = self._running
            server.shutdown()
            server.server_close()
            thread.join(10)
            self._running = None
