"""OneRoster tests: the delta and gradebook acceptance tests run on both dialects (each imports
the bulk package there too), and so do the column-length tests (only PostgreSQL enforces
lengths); the parsing and provider-query tests (nothing dialect-specific below the roster) on
SQLite only, unless EDTECH_ONEROSTER_FULL=1 asks for PostgreSQL too (keeps the default suite's
time bounded)."""

from __future__ import annotations

import os

import pytest

BOTH_DIALECTS = {
    "test_a_delta_moves_a_student_ends_a_teacher_and_adds_a_guardian_live",
    "test_an_lms_writes_line_items_and_results_and_the_teacher_sees_them",
    "test_an_upload_is_queued_and_its_progress_and_report_reach_the_admin_live",
    # column lengths: SQLite stores any length, PostgreSQL refused the insert
    "test_too_long_a_name_or_a_grade_fails_the_import_by_line_and_changes_nothing",
    "test_names_and_grades_as_long_as_their_columns_import",
    "test_a_nul_in_a_field_fails_the_import_by_line_and_changes_nothing",
    # a NUL in the credentials: PostgreSQL takes none in text
    "test_a_client_with_a_wrong_secret_or_a_nul_in_its_credentials_is_refused",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if os.environ.get("EDTECH_ONEROSTER_FULL") == "1":
        return
    for item in items:
        name = getattr(item, "originalname", item.name)
        if (
            "oneroster" in str(item.path)
            and "[postgres]" in item.name
            and name not in BOTH_DIALECTS
        ):
            item.add_marker(
                pytest.mark.skip(reason="SQLite only by default (EDTECH_ONEROSTER_FULL=1)")
            )
