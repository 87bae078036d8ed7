"""What schemathesis needs to know of the API beyond its document, for the in-process fuzzer and
the command-line one the stateful workflows run under (`SCHEMATHESIS_HOOKS=<this file>`)."""

from __future__ import annotations

from typing import Any

import schemathesis


@schemathesis.serializer("application/zip")
def _zip(ctx: Any, value: Any) -> Any:
    """A zip upload (OneRoster packages) is sent as the raw bytes generated for it."""
    return value if isinstance(value, bytes) else str(value).encode()
