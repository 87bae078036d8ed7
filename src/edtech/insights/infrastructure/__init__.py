"""The insights tables, repository, read queries and the event sink."""

from edtech.insights.infrastructure import tables

__all__ = ["tables"]
