"""Reading a OneRoster package from a zip or a folder, refusing what could harm the node:
names that escape the folder, zip bombs, files over the size limit, text that is not UTF-8."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from edtech.kernel.errors import InvalidError
from edtech.oneroster.domain.binding import FILES

NAMES = frozenset({"manifest", *FILES})
MAX_RATIO = 200
"""A member that expands more than this many times is treated as a zip bomb."""


class PackageTooLargeError(InvalidError):
    """The package, or a file in it, is over the configured size."""

    code = "too_large"


def read_zip(data: bytes, max_bytes: int) -> dict[str, str]:
    """`name` (without `.csv`) → text of every known file in the zip."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise InvalidError("the upload is not a zip file") from exc
    texts: dict[str, str] = {}
    total = 0
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            name = info.filename
            if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/"):
                raise InvalidError(f"the zip holds a path that escapes its folder: {name!r}")
            base = name.replace("\\", "/").rsplit("/", 1)[-1]
            if not base.endswith(".csv") or base[:-4] not in NAMES:
                continue
            total += info.file_size
            if total > max_bytes:
                raise PackageTooLargeError(f"the package expands to more than {max_bytes} bytes")
            if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
                raise InvalidError(f"{base} expands {MAX_RATIO}+ times: refused as a zip bomb")
            with archive.open(info) as member:
                raw = member.read(max_bytes + 1)
            if len(raw) > max_bytes:
                raise PackageTooLargeError(f"{base} is larger than it claims")
            texts[base[:-4]] = _decode(base, raw)
    return texts


def read_folder(path: Path, max_bytes: int) -> dict[str, str]:
    texts: dict[str, str] = {}
    for name in NAMES:
        file = path / f"{name}.csv"
        if file.is_file():
            if file.stat().st_size > max_bytes:
                raise PackageTooLargeError(f"{file.name} is over {max_bytes} bytes")
            texts[name] = _decode(file.name, file.read_bytes())
    return texts


def read_path(path: Path, max_bytes: int) -> dict[str, str]:
    if path.is_dir():
        return read_folder(path, max_bytes)
    return read_zip(path.read_bytes(), max_bytes)


def _decode(name: str, raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidError(f"{name} is not UTF-8 (byte {exc.start})") from exc
