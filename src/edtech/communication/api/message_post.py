"""`POST /api/v1/conversations/{conversation_id}/messages` as a fast route, ahead of the stack.

Parents and teachers post a chat message per request, and FastAPI's routing over every route
and its dependency solving cost a fair share of what the message itself costs (see
`edtech.platform.http.fast_route`). This handler answers a post whose conversation id, body
and bearer token are good, with the very use case and answer the documented route in
`conversations.py` builds; it declines anything else, and the documented route words the
refusal. Refusals of the use case itself (404, 403, 422 on a body it cleans) are problem JSON
from the same exception, as the route's handlers would word them.
"""

from __future__ import annotations

import uuid

from fastapi.security.utils import get_authorization_scheme_param
from pydantic import TypeAdapter, ValidationError

from edtech.communication.api.conversations import posted_out, router
from edtech.communication.api.schemas import MessageIn
from edtech.communication.application.group_posts import GroupPosts
from edtech.identity.public import principal_from_access_token
from edtech.kernel.errors import AuthenticationError
from edtech.platform.http.asgi import NodeApp
from edtech.platform.http.fast_route import FastAnswer, FastHandler, FastRequest, FastRouteApp
from edtech.platform.services import Services

MESSAGES_ROUTE = ("POST", f"{router.prefix}/{{conversation_id}}/messages")
AUTHORIZATION = b"authorization"

_MESSAGE = TypeAdapter(MessageIn)


def message_post_handler(services: Services) -> FastHandler:
    """Posts through the node's group commit (`GroupPosts`), as the documented route does."""
    posts = services.components.get(GroupPosts)

    async def answer(request: FastRequest) -> FastAnswer | None:
        """The posted message as JSON (201; 200 for a replayed client id); `None` (the
        documented route answers) when the conversation id or the body does not validate or
        the bearer token does not authenticate."""
        scheme, token = get_authorization_scheme_param(request.header(AUTHORIZATION))
        raw_id = request.path_params.get("conversation_id", "")
        if scheme.lower() != "bearer" or not token:
            return None
        try:
            conversation_id = uuid.UUID(raw_id)
            body = _MESSAGE.validate_json(request.body)
        except (ValueError, ValidationError):
            return None
        if str(conversation_id) != raw_id.lower():  # `uuid.UUID` takes forms the route may not
            return None
        try:
            # Grouped, the token's sign-in is read in the post's transaction (ADR-0022).
            sender = token if posts.grouped else await principal_from_access_token(services, token)
            out = await posted_out(posts, sender, conversation_id, body)
        except AuthenticationError:
            return None
        return FastAnswer(out.model_dump_json().encode(), 200 if out.replayed else 201)

    return answer


def message_post(app: NodeApp, services: Services) -> FastRouteApp:
    """The fast route of `MESSAGES_ROUTE` on `app`."""
    return FastRouteApp(
        app,
        MESSAGES_ROUTE[1],
        message_post_handler(services),
        max_body_bytes=services.settings.max_body_bytes,
        requires=(AUTHORIZATION,),
    )
