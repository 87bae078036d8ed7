# syntax=docker/dockerfile:1.7
# edtech node image: `edtech serve` (REST + /ws) and `edtech migrate`, run as a non-root user.
# Build: docker build -t edtech .     Compose builds it for you (see docs/deploy.md).

ARG PYTHON_VERSION=3.11

# --- build: resolve and install the locked dependencies and the project into /app/.venv ----------
FROM ghcr.io/astral-sh/uv:0.13.9 AS uv

FROM python:${PYTHON_VERSION}-slim-bookworm AS build
COPY --from=uv /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /src
# Dependencies first (cached until uv.lock changes), then the project itself, non-editable:
# the wheel carries the migrations (pyproject: force-include), so the image needs no sources.
RUN --mount=type=cache,target=/root/.cache/uv \
    --mount=type=bind,source=uv.lock,target=uv.lock \
    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \
    uv sync --frozen --no-dev --no-install-project
COPY pyproject.toml uv.lock README.md ./
COPY src ./src
COPY migrations ./migrations
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable

# --- runtime: the interpreter, the virtualenv, nothing else ---------------------------------------
FROM python:${PYTHON_VERSION}-slim-bookworm AS runtime
RUN groupadd --system --gid 10001 edtech \
 && useradd --system --uid 10001 --gid edtech --home-dir /app --no-create-home \
            --shell /usr/sbin/nologin edtech \
 && mkdir -p /app && chown edtech:edtech /app
COPY --from=build --chown=edtech:edtech /app/.venv /app/.venv
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    EDTECH_LOG_JSON=true
WORKDIR /app
USER edtech
EXPOSE 8000
# Liveness only (the process answers); readiness (/readyz) is Caddy's business.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
# SIGTERM drains the node (docs/deploy.md); give it stop_grace_period in compose.
STOPSIGNAL SIGTERM
CMD ["edtech", "serve", "--host", "0.0.0.0", "--port", "8000", "--no-migrate"]
