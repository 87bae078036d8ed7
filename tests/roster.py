"""Roster fixtures (a small demo school per test) shared by every slice's tests."""
