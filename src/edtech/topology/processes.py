"""Child processes of the local topology: start, health-check, signal and reap them, by pid."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx


class TopologyError(RuntimeError):
    """A process of the topology did not start, or did not become ready in time."""


def free_port(host: str = "127.0.0.1") -> int:
    """A port that is free right now (the kernel picks it; a tiny race remains, as everywhere)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def pid_alive(pid: int) -> bool:
    """True if `pid` runs and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    return True


def pid_cmdline(pid: int) -> str:
    """The command line of `pid` (empty if unknown), to check a pid file still names our process."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""


@dataclass
class ManagedProcess:
    """One child process (a node or Caddy), in its own session so signals reach only it."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    health_url: str
    cwd: Path | None = None
    pid: int | None = None
    _popen: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self) -> None:
        if self.alive():
            raise TopologyError(f"{self.name} is already running (pid {self.pid})")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            log.write(f"--- starting {self.name}: {' '.join(self.argv)}\n".encode())
            log.flush()
            self._popen = subprocess.Popen(  # noqa: S603 - argv built by us, no shell
                self.argv,
                env=self.env,
                cwd=self.cwd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.pid = self._popen.pid

    def alive(self) -> bool:
        if self.pid is None:
            return False
        if self._popen is not None:
            return self._popen.poll() is None
        return pid_alive(self.pid)

    def returncode(self) -> int | None:
        return None if self._popen is None else self._popen.poll()

    def signal(self, signum: int) -> None:
        """Send `signum` to the process (not a group: we started exactly this one process)."""
        if self.pid is not None and self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signum)

    def kill(self) -> None:
        """`kill -9`: no drain, no goodbye."""
        self.signal(signal.SIGKILL)
        self.wait_exit(10)

    def wait_exit(self, timeout: float) -> bool:
        """Wait until the process has exited (and reap it); True if it did within `timeout`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._popen is not None:
                try:
                    self._popen.wait(timeout=0.05)
                    return True
                except subprocess.TimeoutExpired:
                    continue
            if not self.alive():
                return True
            time.sleep(0.05)
        return not self.alive()

    def stop(self, grace: float = 15.0) -> int | None:
        """SIGTERM, wait up to `grace` seconds, then SIGKILL. Returns the exit code if known."""
        if self.alive():
            self.signal(signal.SIGTERM)
            if not self.wait_exit(grace):
                self.signal(signal.SIGKILL)
                self.wait_exit(10)
        return self.returncode()

    def wait_healthy(self, timeout: float, *, status: int = 200) -> None:
        """Poll `health_url` until it answers `status`; fail early (with the log) if we die."""
        deadline = time.monotonic() + timeout
        last = "no answer yet"
        with httpx.Client(timeout=1.0) as client:
            while time.monotonic() < deadline:
                if not self.alive():
                    raise TopologyError(
                        f"{self.name} exited (code {self.returncode()}) before it was ready; "
                        f"last log lines:\n{self.log_tail()}"
                    )
                try:
                    response = client.get(self.health_url)
                    if response.status_code == status:
                        return
                    last = f"{response.status_code} {response.text[:200]}"
                except httpx.HTTPError as exc:
                    last = f"{type(exc).__name__}: {exc}"
                time.sleep(0.1)
        raise TopologyError(
            f"{self.name} not ready at {self.health_url} after {timeout:.0f}s ({last}); "
            f"last log lines:\n{self.log_tail()}"
        )

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"
