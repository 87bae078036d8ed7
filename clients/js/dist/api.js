// Generated from the REST API's OpenAPI document by
// `uv run python -m edtech.web.sdk_types`.
// Do not edit: CI fails when this file and the API differ.
export {};
