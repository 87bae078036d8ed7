"""Persistence of the roster: tables and mappings, repositories for use cases, read queries."""

from edtech.institutions.infrastructure import tables as tables

__all__ = ["tables"]
