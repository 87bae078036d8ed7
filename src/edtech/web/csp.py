"""The Content-Security-Policy of the pages under `/app`: scripts, styles and the socket come
from the page's own origin only; nothing inline, no framing, no plugins.

The node sends it with every `/app` response and Caddy sends the very same policy (the
Caddyfiles import this string), so the pages work, and are confined, with or without the proxy.
`connect-src 'self'` covers the same-origin `ws:`/`wss:` socket (CSP Level 3).
"""

APP_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'; object-src 'none'"
)
