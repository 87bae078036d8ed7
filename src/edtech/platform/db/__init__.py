"""Database plumbing: metadata, column types, engine and the unit of work."""
