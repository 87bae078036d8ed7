"""The school calendar: non-school days, early releases, bell schedules and day rotations."""
