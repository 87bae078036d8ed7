"""OneRoster use cases."""
