"""The attendance fixtures (a school clock at 08:20, the demo's attendance) for e2e tests."""

from tests.integration.attendance.fixtures import clock, school

__all__ = ["clock", "school"]
