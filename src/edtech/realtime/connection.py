"""One websocket, as a small state machine over raw ASGI messages.

CONNECTING → (token checked) → OPEN → CLOSING → CLOSED. While OPEN each text frame is rate
limited, parsed (`protocol`), and answered by `ref`; events are queued (bounded in bytes) and
written by a writer task that exists only while there is something to write, so an idle socket
costs no task. Closing is always by a documented `CloseCode`.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from edtech.kernel.errors import AuthenticationError
from edtech.kernel.principal import Principal
from edtech.platform.observability.logging import get_logger
from edtech.platform.text import escapes_nul, holds_lone_surrogate
from edtech.realtime.hub import Subscribed, Subscriber
from edtech.realtime.metrics import RealtimeMetrics
from edtech.realtime.protocol import (
    ClientFrame,
    CloseCode,
    ErrorCode,
    FrameError,
    PingFrame,
    PresenceFrame,
    RefreshFrame,
    SendFrame,
    Since,
    SubscribeFrame,
    TypingFrame,
    UnsubscribeFrame,
    parse_client_frame,
    pong_frame,
    reply_error,
    reply_ok,
    signal_frame,
    unsubscribed_frame,
)
from edtech.realtime.registry import ResolvedChannel
from edtech.realtime.settings import RealtimeSettings

log = get_logger(__name__)

RECOVERY_DRAIN_TIMEOUT = 30.0

Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]

Authenticate = Callable[[str], Awaitable[tuple[Principal, float | None]]]
"""A token's principal and its expiry (epoch seconds, None if none); raises
`AuthenticationError` for a bad one."""


class Channels(Protocol):
    """The hub, as a socket uses it."""

    async def subscribe(
        self, subscriber: Subscriber, resolved: ResolvedChannel, since: Since | None
    ) -> Subscribed: ...

    async def unsubscribe(self, subscriber: Subscriber, name: str) -> bool: ...

    async def publish_signal(self, channel: str, sender: str, frame: str) -> None: ...


class PresenceView(Protocol):
    """Presence, as a socket uses it."""

    async def join(self, channel: str, conn: Any) -> None: ...

    async def leave(self, channel: str, conn: Any) -> None: ...

    async def query(self, channel: str) -> dict[str, Any]: ...


@dataclass(frozen=True, slots=True)
class SocketContext:
    """Everything a socket needs of its node, and nothing more."""

    settings: RealtimeSettings
    metrics: RealtimeMetrics
    authenticate: Authenticate
    resolve: Callable[[str], ResolvedChannel | None]
    """The channel type and params of a name (the registry), or None."""
    refused: Callable[[Principal, Sequence[ResolvedChannel]], Awaitable[list[str]]]
    """Which of these channels the principal may not subscribe to (now)."""
    hub: Channels
    presence: PresenceView
    command: Callable[[Principal, ResolvedChannel, SendFrame], Awaitable[str]]
    """Run a `send` frame; returns the reply frame."""


class Connection:
    """An authenticated socket: its subscriptions, send queue, rate limit and token expiry."""

    # Slots, and a queue made only when first needed: idle sockets are most sockets.
    __slots__ = (
        "_cap",
        "_closer",
        "_expiry",
        "_loop",
        "_out",
        "_out_bytes",
        "_room",
        "_send",
        "_tokens",
        "_tokens_at",
        "_typing_at",
        "_writer",
        "closing",
        "ctx",
        "id",
        "principal",
        "subscriptions",
    )

    def __init__(
        self, ctx: SocketContext, send: Send, principal: Principal, expires_at: float | None
    ) -> None:
        self.id = secrets.token_hex(6)
        self.ctx = ctx
        self.principal = principal
        self._send = send
        self._loop = asyncio.get_running_loop()
        self._out: deque[str] | None = None
        self._out_bytes = 0
        self._cap = ctx.settings.ws_send_queue_bytes
        self._writer: asyncio.Task[None] | None = None
        self._room: asyncio.Event | None = None
        self._closer: asyncio.Task[None] | None = None
        self.closing = False
        self.subscriptions: dict[str, ResolvedChannel] = {}
        self._tokens = float(ctx.settings.ws_rate_burst)
        self._tokens_at = time.monotonic()
        self._typing_at: dict[str, float] | None = None
        self._expiry: asyncio.TimerHandle | None = None
        self._schedule_expiry(expires_at)

    # -- sending -----------------------------------------------------------------------

    def enqueue(self, frame: str) -> None:
        """Queue a frame without waiting; a socket whose queue is full is cut off."""
        if self.closing:
            return
        size = len(frame)
        if self._out_bytes + size > self._cap:
            self.ctx.metrics.slow_consumers.inc()
            self.close(CloseCode.SLOW_CONSUMER, "slow consumer: resubscribe with since")
            return
        out = self._out
        if out is None:
            out = self._out = deque()
        out.append(frame)
        self._out_bytes += size
        if self._writer is None:
            self._writer = self._loop.create_task(self._write())

    async def enqueue_paced(self, frame: str) -> None:
        """Queue a frame once the queue is at most half full (catch-up after recovery can be
        far larger than the queue); a socket that does not drain in time is cut off."""
        half = self._cap // 2
        if self._out_bytes > half and not self.closing:
            self._room = asyncio.Event()
            try:
                async with asyncio.timeout(RECOVERY_DRAIN_TIMEOUT):
                    while self._out_bytes > half and not self.closing:
                        self._room.clear()
                        await self._room.wait()
            except TimeoutError:
                self.ctx.metrics.slow_consumers.inc()
                self.close(CloseCode.SLOW_CONSUMER, "slow consumer: resubscribe with since")
            finally:
                self._room = None
        self.enqueue(frame)

    async def _write(self) -> None:
        out, send = self._out, self._send
        try:
            while out:
                frame = out.popleft()
                self._out_bytes -= len(frame)
                await send({"type": "websocket.send", "text": frame})
                if self._room is not None:
                    self._room.set()
        except OSError:  # the peer is gone (uvicorn's ClientDisconnected): the receive loop sees it
            self.closing = True
        except Exception:  # a frame that cannot be sent: close saying so, never fall silent
            log.exception("ws_send_failed", connection=self.id)
            self._writer = None  # done: `close` must not cancel this task
            self.close(CloseCode.INTERNAL_ERROR, "a frame could not be sent: resume by offset")
        finally:
            self._writer = None
            if self._out is out and not out:
                self._out = None  # an empty deque is 0.75 KiB: idle sockets keep none

    def close(self, code: CloseCode, reason: str) -> None:
        """Close with `code` (idempotent): drop what is queued, leave every channel."""
        if self.closing:
            return
        self.closing = True
        self.ctx.metrics.closes.labels(str(int(code))).inc()
        self._out = None
        self._out_bytes = 0
        if self._writer is not None:
            self._writer.cancel()
        if self._room is not None:
            self._room.set()
        self._closer = self._loop.create_task(self._close(code, reason))

    async def _close(self, code: CloseCode, reason: str) -> None:
        await self.leave_all()
        if self._writer is not None:
            await asyncio.gather(self._writer, return_exceptions=True)
        with contextlib.suppress(Exception):  # already gone: nothing to tell
            await self._send({"type": "websocket.close", "code": int(code), "reason": reason})

    # -- lifecycle ---------------------------------------------------------------------

    def _schedule_expiry(self, expires_at: float | None) -> None:
        if self._expiry is not None:
            self._expiry.cancel()
            self._expiry = None
        if expires_at is not None:
            delay = max(0.0, expires_at - time.time())
            self._expiry = self._loop.call_later(
                delay, self.close, CloseCode.AUTH_FAILED, "access token expired: refresh it"
            )

    async def leave_all(self) -> None:
        channels, self.subscriptions = list(self.subscriptions), {}
        for name in channels:
            await self._leave(name)

    async def _leave(self, name: str) -> None:
        await self.ctx.hub.unsubscribe(self, name)
        self.ctx.metrics.subscriptions.dec()
        await self.ctx.presence.leave(name, self)

    async def run(self, receive: Receive) -> None:
        """The receive loop, until the peer or the server closes."""
        try:
            while True:
                message = await receive()
                kind = message["type"]
                if kind == "websocket.disconnect":
                    break
                if self.closing:
                    continue
                if not self._take_token():
                    self.close(CloseCode.POLICY_VIOLATION, "rate limit exceeded")
                    continue
                text = message.get("text")
                if text is None:
                    self.enqueue(
                        reply_error(None, ErrorCode.BAD_FRAME, "Binary frames are not supported.")
                    )
                    continue
                if len(text) > self.ctx.settings.ws_max_frame_bytes:
                    self.close(CloseCode.MESSAGE_TOO_BIG, "frame too big")
                    continue
                try:
                    frame = parse_client_frame(text)
                except FrameError as exc:
                    self.enqueue(reply_error(exc.ref, exc.code, exc.message))
                    continue
                except Exception:  # a frame must never end the socket without a close code
                    log.exception("ws_frame_unparsed")
                    self.enqueue(reply_error(None, ErrorCode.BAD_FRAME, "Frame not understood."))
                    continue
                if "u0000" in text and escapes_nul(text.encode()):  # PostgreSQL cannot store it
                    self.enqueue(reply_error(frame.ref, ErrorCode.INVALID, "Text with U+0000."))
                    continue
                if holds_lone_surrogate(text):  # no database can store it
                    self.enqueue(
                        reply_error(frame.ref, ErrorCode.INVALID, "Text with a lone surrogate.")
                    )
                    continue
                try:
                    await self._dispatch(frame)
                except Exception:
                    log.exception("ws_op_failed", op=frame.op)
                    self.enqueue(
                        reply_error(frame.ref, ErrorCode.UNAVAILABLE, "Temporary failure; retry.")
                    )
        finally:
            self.closing = True
            if self._expiry is not None:
                self._expiry.cancel()
            if self._writer is not None:
                self._writer.cancel()
            await self.leave_all()

    def _take_token(self) -> bool:
        now = time.monotonic()
        rate = self.ctx.settings.ws_rate_per_second
        self._tokens = min(
            float(self.ctx.settings.ws_rate_burst), self._tokens + (now - self._tokens_at) * rate
        )
        self._tokens_at = now
        if self._tokens < 1.0:
            return False
        self._tokens -= 1.0
        return True

    # -- ops ---------------------------------------------------------------------------

    async def _dispatch(self, frame: ClientFrame) -> None:
        if isinstance(frame, PingFrame):
            self.enqueue(pong_frame(frame.ref))
        elif isinstance(frame, SubscribeFrame):
            await self._subscribe(frame)
        elif isinstance(frame, UnsubscribeFrame):
            if frame.channel in self.subscriptions:
                del self.subscriptions[frame.channel]
                await self._leave(frame.channel)
                self.enqueue(reply_ok(frame.ref, {"channel": frame.channel}))
            else:
                self.enqueue(reply_error(frame.ref, ErrorCode.NOT_SUBSCRIBED, "Not subscribed."))
        elif isinstance(frame, SendFrame):
            await self._send_command(frame)
        elif isinstance(frame, TypingFrame):
            await self._typing(frame)
        elif isinstance(frame, PresenceFrame):
            await self._presence(frame)
        elif isinstance(frame, RefreshFrame):
            await self._refresh(frame)

    async def _subscribe(self, frame: SubscribeFrame) -> None:
        ref = frame.ref
        if frame.channel in self.subscriptions:
            del self.subscriptions[frame.channel]  # resubscribing: start over, maybe with since
            await self._leave(frame.channel)
        resolved = self.ctx.resolve(frame.channel)
        if resolved is None:
            self.enqueue(reply_error(ref, ErrorCode.BAD_CHANNEL, "No such channel type."))
            return
        if len(self.subscriptions) >= self.ctx.settings.ws_max_subscriptions:
            self.enqueue(
                reply_error(ref, ErrorCode.TOO_MANY_SUBSCRIPTIONS, "Too many subscriptions.")
            )
            return
        if await self._refused([resolved]):
            # Other tenants' channels, other families', other sections': the same answer.
            self.enqueue(reply_error(ref, ErrorCode.FORBIDDEN, "Not allowed on this channel."))
            return
        if self.closing:
            return
        subscribed = await self.ctx.hub.subscribe(self, resolved, frame.since)
        if self.closing:  # closed while subscribing: do not leak the subscription
            await self.ctx.hub.unsubscribe(self, resolved.name)
            return
        self.subscriptions[resolved.name] = resolved
        self.ctx.metrics.subscriptions.inc()
        self.enqueue(reply_ok(ref, subscribed.data))
        await subscribed.finish()
        if resolved.type.presence:
            await self.ctx.presence.join(resolved.name, self)

    async def reauthorize(self) -> None:
        """Check every subscription again; end those no longer allowed, saying so."""
        if self.closing or not self.subscriptions:
            return
        for name in await self._refused(list(self.subscriptions.values())):
            if self.subscriptions.get(name) is not None and not self.closing:
                del self.subscriptions[name]
                await self._leave(name)
                self.enqueue(
                    unsubscribed_frame(name, ErrorCode.FORBIDDEN, "Not allowed on this channel.")
                )

    async def _refused(self, channels: list[ResolvedChannel]) -> list[str]:
        """The names of those channels this socket's principal may not subscribe to (now)."""
        return await self.ctx.refused(self.principal, channels)

    async def _send_command(self, frame: SendFrame) -> None:
        resolved = self.subscriptions.get(frame.channel)
        if resolved is None:
            self.enqueue(reply_error(frame.ref, ErrorCode.NOT_SUBSCRIBED, "Subscribe first."))
            return
        self.enqueue(await self.ctx.command(self.principal, resolved, frame))

    async def _typing(self, frame: TypingFrame) -> None:
        if frame.channel not in self.subscriptions:
            self.enqueue(reply_error(frame.ref, ErrorCode.NOT_SUBSCRIBED, "Subscribe first."))
            return
        now = time.monotonic()
        typing_at = self._typing_at if self._typing_at is not None else {}
        if now - typing_at.get(frame.channel, -1e9) < self.ctx.settings.ws_typing_interval_seconds:
            self.enqueue(reply_error(frame.ref, ErrorCode.RATE_LIMITED, "Typing too often."))
            return
        typing_at[frame.channel] = now
        self._typing_at = typing_at
        who = {"person_id": str(self.principal.person_id), "name": self.principal.display_name}
        await self.ctx.hub.publish_signal(
            frame.channel, self.id, signal_frame(frame.channel, "typing", who)
        )
        self.enqueue(reply_ok(frame.ref))

    async def _presence(self, frame: PresenceFrame) -> None:
        resolved = self.subscriptions.get(frame.channel)
        if resolved is None:
            self.enqueue(reply_error(frame.ref, ErrorCode.NOT_SUBSCRIBED, "Subscribe first."))
        elif not resolved.type.presence:
            self.enqueue(reply_error(frame.ref, ErrorCode.NOT_SUPPORTED, "No presence here."))
        else:
            self.enqueue(reply_ok(frame.ref, await self.ctx.presence.query(frame.channel)))

    async def _refresh(self, frame: RefreshFrame) -> None:
        try:
            principal, expires_at = await self.ctx.authenticate(frame.token)
        except AuthenticationError as exc:
            self.enqueue(reply_error(frame.ref, ErrorCode.AUTH_FAILED, exc.message))
            return
        if (principal.person_id, principal.institution_id) != (
            self.principal.person_id,
            self.principal.institution_id,
        ):
            self.enqueue(reply_error(frame.ref, ErrorCode.AUTH_FAILED, "Token of someone else."))
            return
        self.principal = principal
        self._schedule_expiry(expires_at)
        self.enqueue(reply_ok(frame.ref, {"expires_at": expires_at}))
        await self.reauthorize()  # roles and rosters may have changed since the last token
