"""Notifications: reach a person whose app is closed, by push, email and SMS, and prove it."""
