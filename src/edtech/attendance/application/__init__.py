"""Attendance use cases: each opens the unit of work, applies the rule, and commits."""
