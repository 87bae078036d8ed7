"""Billing's repositories, one per aggregate, each scoped to one institution on the unit of
work's session (so the unit of work sees what they load and add, and collects its events)."""
