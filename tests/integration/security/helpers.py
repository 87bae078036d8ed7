"""The token lifetimes the security tests run with."""

ACCESS_TTL_SECONDS = 300
REFRESH_TTL_SECONDS = 3600
