"""The hub's own channel type: `user.{id}`, a person's inbox (only that person; durable)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from edtech.kernel.principal import Principal
from edtech.realtime.registry import AuthorizationContext, ChannelType, Registrar


async def only_that_person(
    principal: Principal, params: Mapping[str, uuid.UUID], ctx: AuthorizationContext
) -> bool:
    """A person's inbox is theirs alone: staff and guardians included, nobody else reads it."""
    return principal.person_id == params["id"]


USER_INBOX = ChannelType(
    pattern="user.{id}",
    authorize=only_that_person,
    description=(
        "A person's own inbox: published grades, absence notices, new messages, payments. "
        "Only that person may subscribe. Durable: recoverable from the database."
    ),
    durable=True,
    history_size=100,
)


def inbox(person_id: uuid.UUID) -> str:
    """`user.{person_id}`, made by its type (routing need not parse it back)."""
    return USER_INBOX.name(id=person_id)


def register(registry: Registrar) -> None:
    registry.add(USER_INBOX)
