"""The jobs slice: the admin view of the node's durable background jobs (ADR-0007)."""
