"""Attendance: codes, sessions, devices and credentials, scans, marks, excuses, live board."""
