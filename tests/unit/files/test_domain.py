"""The files rules without I/O: types judged from bytes, names that are not paths, who reads."""

from __future__ import annotations

import uuid

import pytest

from edtech.files.domain import (
    Category,
    FileTooLargeError,
    UploadRefusedError,
    check_upload,
    clean_filename,
    may_read,
    sniff,
)
from edtech.kernel.errors import InvalidError
from edtech.kernel.principal import Principal, Role, RoleGrant

PDF = b"%PDF-1.7\n..."
PNG = b"\x89PNG\r\n\x1a\n...."
JPEG = b"\xff\xd8\xff\xe0...."
WEBP = b"RIFF\x00\x00\x00\x00WEBPVP8 "
EXE = b"MZ\x90\x00...."


def test_types_are_judged_from_the_first_bytes() -> None:
    assert sniff(PDF) == "application/pdf"
    assert sniff(PNG) == "image/png"
    assert sniff(JPEG) == "image/jpeg"
    assert sniff(WEBP) == "image/webp"
    assert sniff(EXE) == "application/x-msdownload"
    assert sniff(b"hello") is None


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("note.pdf", PDF, ("note.pdf", "application/pdf")),
        (" Scan 1.JPG ", JPEG, ("Scan 1.JPG", "image/jpeg")),
        ("photo.jpeg", JPEG, ("photo.jpeg", "image/jpeg")),
        ("x.webp", WEBP, ("x.webp", "image/webp")),
    ],
)
def test_accepted_uploads_keep_a_clean_name_and_the_sniffed_type(
    name: str, data: bytes, expected: tuple[str, str]
) -> None:
    assert check_upload(name, data, 1000) == expected


@pytest.mark.parametrize(
    ("name", "data", "error"),
    [
        ("setup.pdf", EXE, UploadRefusedError),  # an .exe named .pdf
        ("note.pdf", PNG, UploadRefusedError),  # the name says PDF, the bytes say PNG
        ("note.txt", b"plain text", UploadRefusedError),
        ("note.pdf", b"", InvalidError),
        ("note.pdf", PDF + b"0" * 1000, FileTooLargeError),
        ("../note.pdf", PDF, InvalidError),
        ("a/b.pdf", PDF, InvalidError),
        ("a\\b.pdf", PDF, InvalidError),
        (".pdf", PDF, InvalidError),
        ("note\x00.pdf", PDF, InvalidError),
        ("   ", PDF, InvalidError),
        ("n" * 201 + ".pdf", PDF, InvalidError),
    ],
)
def test_bad_uploads_are_refused(name: str, data: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        check_upload(name, data, 1000)


def test_a_refused_name_says_why() -> None:
    with pytest.raises(InvalidError) as refused:
        clean_filename("../../etc/passwd")
    assert refused.value.problems[0].message == "a file name, not a path"


def who(*roles: Role) -> Principal:
    return Principal(
        account_id=uuid.uuid4(),
        person_id=uuid.uuid4(),
        institution_id=uuid.uuid4(),
        display_name="x",
        grants=frozenset(RoleGrant(r) for r in roles),
    )


def test_read_rules_follow_the_category() -> None:
    child, other_child = uuid.uuid4(), uuid.uuid4()
    about = frozenset({child})
    guardian = who(Role.GUARDIAN)
    attendance_only = {child: frozenset({"can_view_attendance"})}
    assert may_read(guardian, Category.EXCUSE_NOTE, about, attendance_only)
    assert not may_read(guardian, Category.RECEIPT, about, attendance_only)
    assert not may_read(guardian, Category.EXCUSE_NOTE, frozenset({other_child}), attendance_only)
    assert not may_read(guardian, Category.RECORD_PACKAGE, about, attendance_only)
    assert may_read(who(Role.ATTENDANCE_OFFICER), Category.EXCUSE_NOTE, about, {})
    assert not may_read(who(Role.ATTENDANCE_OFFICER), Category.RECEIPT, about, {})
    assert may_read(who(Role.ACCOUNTANT), Category.RECEIPT, about, {})
    assert not may_read(who(Role.TEACHER), Category.EXCUSE_NOTE, about, {})
    assert may_read(who(Role.INSTITUTION_ADMIN), Category.RECORD_PACKAGE, about, {})
    student = who(Role.STUDENT)
    own = frozenset({student.person_id})
    assert may_read(student, Category.REPORT_CARD, own, {})
    assert not may_read(student, Category.EXCUSE_NOTE, own, {})


def test_every_category_has_a_read_rule_and_a_retention() -> None:
    """A new category must say who reads it and how long it is kept (the pruning job and the
    read check look them up by category: a missing one would fail at run time)."""
    from edtech.files.domain import READ_RULES, Category
    from edtech.files.domain.erasure import RETENTION

    assert set(READ_RULES) == set(Category)
    assert set(RETENTION) == set(Category)
