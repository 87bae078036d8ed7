"""The calendar's use cases: declare a day, define bell schedules and rotations."""
