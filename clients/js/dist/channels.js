// Generated from channels/asyncapi.yaml by `uv run python -m edtech.web.sdk_types`.
// Do not edit: CI fails when this file and the contract differ.
export {};
