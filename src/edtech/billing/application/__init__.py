"""Billing use cases: each opens a unit of work, applies one business intention, commits."""
