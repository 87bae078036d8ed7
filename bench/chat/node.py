"""App factory for chat benchmark nodes: `uvicorn bench.chat.node:app --factory` (env settings)."""

from __future__ import annotations

from fastapi import FastAPI

from edtech.app import create_app
from edtech.settings import Settings


def app() -> FastAPI:
    return create_app(Settings())
