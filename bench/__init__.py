"""Load generator and scenarios for the realtime hub (not part of pytest)."""
