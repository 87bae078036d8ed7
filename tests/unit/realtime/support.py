"""Test doubles shared by the hub's unit tests: a socket that records its frames, a channel
type anyone may join."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from edtech.kernel.principal import Principal
from edtech.realtime.registry import AuthorizationContext


async def anyone(
    principal: Principal, params: Mapping[str, uuid.UUID], ctx: AuthorizationContext
) -> bool:
    return True


class FakeSocket:
    """Records the frames the hub hands it, paced or not."""

    def __init__(self, name: str) -> None:
        self.id = name
        self.frames: list[str] = []

    def enqueue(self, frame: str) -> None:
        self.frames.append(frame)

    async def enqueue_paced(self, frame: str) -> None:
        self.frames.append(frame)
