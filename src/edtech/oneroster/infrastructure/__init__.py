"""OneRoster tables, mappings, package files and exports."""

from edtech.oneroster.infrastructure import tables

__all__ = ["tables"]
