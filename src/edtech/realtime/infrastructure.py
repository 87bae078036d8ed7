"""Tables and repositories (placeholder until the slice lands)."""
