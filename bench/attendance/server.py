"""One edtech node for the benchmark, in its own process (client and server share no loop)."""

from __future__ import annotations

import sys

import uvicorn

from edtech.app import create_app
from edtech.platform.serving import uvicorn_config
from edtech.settings import Settings


def main() -> None:
    port = int(sys.argv[1])
    app = create_app(Settings(log_level="WARNING"))
    uvicorn.Server(uvicorn_config(app, port=port)).run()


if __name__ == "__main__":
    main()
