"""The OneRoster 1.2 CSV binding: what it accepts, what it reports, line by line."""

from __future__ import annotations

from edtech.oneroster.domain.binding import Mode, parse_file, parse_manifest
from edtech.oneroster.domain.package import read_package

ORGS = "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\r\n"


def test_bom_crlf_quotes_blank_optionals_and_metadata_columns_are_accepted() -> None:
    text = (
        "\ufeff"
        + ORGS.replace("\r\n", ",metadata.region\r\n")
        + 'o1,,,"Lakeside ""North"", Campus",school,,,west\r\n'
    )
    parsed = parse_file("orgs", text, Mode.BULK)
    assert parsed.problems == []
    (record,) = parsed.records
    assert record.get("name") == 'Lakeside "North", Campus'
    assert record.get("metadata.region") == "west"


def test_headers_out_of_order_or_in_the_wrong_case_are_refused() -> None:
    swapped = ORGS.replace("name,type", "type,name") + "o1,,,school,X,,\r\n"
    (problem,) = parse_file("orgs", swapped, Mode.BULK).problems
    assert (problem.line, problem.column) == (1, "name")
    cased = ORGS.replace("parentSourcedId", "ParentSourcedId") + "o1,,,X,school,,\r\n"
    (problem,) = parse_file("orgs", cased, Mode.BULK).problems
    assert "case-sensitive" in problem.message


def test_a_column_other_than_metadata_after_the_specs_is_refused() -> None:
    text = ORGS.replace("\r\n", ",region\r\n") + "o1,,,X,school,,,w\r\n"
    (problem,) = parse_file("orgs", text, Mode.BULK).problems
    assert problem.column == "region"


def test_a_carriage_return_inside_a_field_and_a_file_without_rows_are_refused() -> None:
    cr = ORGS + 'o1,,,"Two\rlines",school,,\r\n'
    (problem,) = parse_file("orgs", cr, Mode.BULK).problems
    assert (problem.line, problem.column) == (2, "name")
    (empty,) = parse_file("orgs", ORGS, Mode.BULK).problems
    assert "no data rows" in empty.message


def test_sync_columns_are_blank_in_bulk_and_filled_in_delta() -> None:
    filled = ORGS + "o1,active,2026-01-01T00:00:00Z,X,school,,\r\n"
    assert {p.column for p in parse_file("orgs", filled, Mode.BULK).problems} == {
        "status",
        "dateLastModified",
    }
    blank = ORGS + "o1,,,X,school,,\r\n"
    assert {p.column for p in parse_file("orgs", blank, Mode.DELTA).problems} == {
        "status",
        "dateLastModified",
    }
    assert parse_file("orgs", filled, Mode.DELTA).problems == []


def test_an_enumeration_in_the_wrong_case_is_an_error_or_in_lenient_mode_a_warning() -> None:
    text = ORGS + "o1,,,X,School,,\r\n"
    (problem,) = parse_file("orgs", text, Mode.BULK).problems
    assert "did you mean 'school'" in problem.message
    lenient = parse_file("orgs", text, Mode.BULK, lenient=True)
    assert lenient.problems == []
    assert lenient.records[0].get("type") == "school"
    (warning,) = lenient.warnings
    assert (warning.line, warning.column) == (2, "type")


def test_an_oversized_field_is_refused_without_keeping_it() -> None:
    text = ORGS + "o1,,,X" + "y" * 70_000 + ",school,,\r\n"
    problems = parse_file("orgs", text, Mode.BULK).problems
    assert problems
    assert all(p.line == 2 for p in problems)


def test_references_between_files_and_duplicates_are_reported_with_their_lines() -> None:
    manifest = "propertyName,value\noneroster.version,1.2\nfile.orgs,bulk\nfile.courses,bulk\n"
    courses = (
        "sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,"
        "orgSourcedId,subjects,subjectCodes\r\n"
        "c1,,,,Algebra,,,o1,,\r\nc1,,,,Biology,,,ghost,,\r\n"
    )
    pkg = read_package(
        {"manifest": manifest, "orgs": ORGS + "o1,,,X,school,,\r\n", "courses": courses}, {}
    )
    found = {(p.file, p.line, p.column) for p in pkg.problems}
    assert found == {("courses", 3, "sourcedId"), ("courses", 3, "orgSourcedId")}


def test_a_delta_may_refer_to_records_imported_before() -> None:
    manifest = "propertyName,value\noneroster.version,1.2\nfile.orgs,delta\n"
    orgs = ORGS + "o2,active,2026-01-01T00:00:00Z,Y,school,,o1\r\n"
    assert read_package({"manifest": manifest, "orgs": orgs}, {"orgs": {"o1"}}).ok
    assert not read_package({"manifest": manifest, "orgs": orgs}, {}).ok


def test_the_manifest_says_each_files_mode() -> None:
    props, problems = parse_manifest("\ufeffpropertyName,value\r\nfile.users,bulk\r\n")
    assert problems == []
    assert props == {"file.users": "bulk"}
