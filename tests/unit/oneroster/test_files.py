"""Reading a package from a zip refuses what could harm the node."""

from __future__ import annotations

import io
import zipfile

import pytest

from edtech.kernel.errors import InvalidError
from edtech.oneroster.infrastructure.files import PackageTooLargeError, read_zip


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_known_files_are_read_from_the_root_or_a_folder_and_others_ignored() -> None:
    data = _zip({"export/orgs.csv": b"a", "manifest.csv": b"m", "notes.txt": b"x"})
    assert read_zip(data, 1000) == {"orgs": "a", "manifest": "m"}


def test_a_path_that_escapes_the_folder_is_refused() -> None:
    with pytest.raises(InvalidError, match="escapes"):
        read_zip(_zip({"../orgs.csv": b"a"}), 1000)


def test_a_zip_bomb_is_refused() -> None:
    with pytest.raises(InvalidError, match="zip bomb"):
        read_zip(_zip({"users.csv": b"0" * 5_000_000}), 10_000_000)


def test_a_package_over_the_limit_is_refused() -> None:
    with pytest.raises(PackageTooLargeError):
        read_zip(_zip({"users.csv": b"x" * 2000}), 1000)


def test_not_a_zip_or_not_utf8_is_refused() -> None:
    with pytest.raises(InvalidError, match="not a zip"):
        read_zip(b"plain text", 1000)
    with pytest.raises(InvalidError, match="UTF-8"):
        read_zip(_zip({"orgs.csv": b"\xff\xfe"}), 1000)
