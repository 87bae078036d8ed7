#!/usr/bin/env bash
# The scaled-out topology as local processes (no Docker): N nodes behind Caddy.
#   deploy/topology.sh up [--nodes N] [--port P]   |   deploy/topology.sh status   |   deploy/topology.sh down
# Needs PostgreSQL, Redis, Caddy and EDTECH_SECRET_KEY; see docs/deploy.md.
set -euo pipefail
cd "$(dirname "$0")/.."
exec uv run python -m edtech.topology "$@"
