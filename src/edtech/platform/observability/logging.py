"""structlog set-up: JSON lines when not on a terminal, request ids bound per request."""

from __future__ import annotations

import logging
import re
import sys

import structlog

# A websocket may carry its access token in the URL (`/ws?token=`), and uvicorn logs each
# handshake's path with its query string.
_TOKEN_IN_URL = re.compile(r"([?&](?:token|access_token|refresh_token)=)[^&\s\"']+")


class RedactTokensInUrls(logging.Filter):
    """Cut tokens out of URLs in stdlib log records (uvicorn's) before they are written. Our own
    structlog events carry a dict and never hold a token; they pass untouched."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            message = record.getMessage()
            redacted = _TOKEN_IN_URL.sub(r"\1REDACTED", message)
            if redacted != message:
                record.msg, record.args = redacted, None
        return True


def configure_logging(level: str = "INFO", json: bool | None = None) -> None:
    """Route structlog and stdlib logging through one renderer."""
    if json is None:
        json = not sys.stderr.isatty()
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    handler.addFilter(RedactTokensInUrls())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True  # our middleware logs requests


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.stdlib.get_logger(name)
