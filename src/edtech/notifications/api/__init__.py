"""HTTP routes of the notifications slice."""

from edtech.notifications.api.routes import router

__all__ = ["router"]
