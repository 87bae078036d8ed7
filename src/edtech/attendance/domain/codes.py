"""Attendance codes: what a mark means (presence category, present-fraction, Ed-Fi category)."""

from __future__ import annotations

import enum
import re
import uuid
from dataclasses import dataclass

from edtech.kernel.errors import ConflictError, FieldProblem, InvalidError
from edtech.kernel.ids import new_id

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,15}$")


class Category(enum.StrEnum):
    """The presence axis of a code; the excuse axis is folded in as `excused_absence`."""

    PRESENT = "present"
    TARDY = "tardy"
    ABSENT = "absent"
    EXCUSED_ABSENCE = "excused_absence"
    EARLY_DEPARTURE = "early_departure"

    @property
    def ed_fi(self) -> str:
        """The Ed-Fi `AttendanceEventCategoryDescriptor` this category maps to."""
        return ED_FI_CATEGORY[self]

    @property
    def is_absence(self) -> bool:
        return self in (Category.ABSENT, Category.EXCUSED_ABSENCE)


ED_FI_CATEGORY: dict[Category, str] = {
    Category.PRESENT: "In Attendance",
    Category.TARDY: "Tardy",
    Category.ABSENT: "Unexcused Absence",
    Category.EXCUSED_ABSENCE: "Excused Absence",
    Category.EARLY_DEPARTURE: "Early Departure",
}


@dataclass(eq=False, kw_only=True)
class AttendanceCode:
    """One code of an institution's code book (`P`, `T`, `A`, …).

    System codes are the ones the rules themselves use (a scan marks `P` or `T`, closing marks
    `A`, an approved excuse marks `E`): they can be renamed and re-weighted but never change
    category or be switched off. Institutions add their own codes beside them.
    """

    id: uuid.UUID
    institution_id: uuid.UUID
    code: str
    name: str
    category: Category
    present_percent: int
    is_system: bool = False
    is_active: bool = True

    def __post_init__(self) -> None:
        check_code_fields(self.code, self.name, self.present_percent)

    @property
    def ed_fi_category(self) -> str:
        return self.category.ed_fi

    def change(
        self,
        *,
        name: str | None = None,
        category: Category | None = None,
        present_percent: int | None = None,
        is_active: bool | None = None,
    ) -> None:
        """Edit the code; a system code keeps its category and stays active."""
        if self.is_system and category is not None and category != self.category:
            raise ConflictError("A system code keeps its category.", attendance_code=self.code)
        if self.is_system and is_active is False:
            raise ConflictError("A system code cannot be deactivated.", attendance_code=self.code)
        check_code_fields(self.code, name or self.name, present_percent or self.present_percent)
        if name is not None:
            self.name = name
        if category is not None:
            self.category = category
        if present_percent is not None:
            self.present_percent = present_percent
        if is_active is not None:
            self.is_active = is_active


def check_code_fields(code: str, name: str, present_percent: int) -> None:
    problems: list[FieldProblem] = []
    if not _CODE.fullmatch(code):
        problems.append(FieldProblem(("code",), "1–16 upper-case letters, digits, '-' or '_'"))
    if not name.strip() or len(name) > 100:
        problems.append(FieldProblem(("name",), "1–100 characters"))
    if not 0 <= present_percent <= 100:
        problems.append(FieldProblem(("present_percent",), "between 0 and 100"))
    if problems:
        raise InvalidError("Invalid attendance code.", problems)


DEFAULT_CODES: tuple[tuple[str, str, Category, int], ...] = (
    ("P", "Present", Category.PRESENT, 100),
    ("T", "Tardy", Category.TARDY, 100),
    ("A", "Absent", Category.ABSENT, 0),
    ("E", "Excused absence", Category.EXCUSED_ABSENCE, 0),
    ("ED", "Early departure", Category.EARLY_DEPARTURE, 50),
)
"""The code book every institution starts with: one system code per category."""


def default_codes(institution_id: uuid.UUID) -> list[AttendanceCode]:
    """A fresh copy of the default code book for `institution_id`."""
    return [
        AttendanceCode(
            id=new_id(),
            institution_id=institution_id,
            code=code,
            name=name,
            category=category,
            present_percent=percent,
            is_system=True,
        )
        for code, name, category, percent in DEFAULT_CODES
    ]


class CodeBook:
    """An institution's codes by code; knows which code the rules use for each category."""

    def __init__(self, codes: list[AttendanceCode]) -> None:
        self._by_code = {c.code: c for c in codes}

    def __contains__(self, code: str) -> bool:
        return code in self._by_code

    def get(self, code: str) -> AttendanceCode | None:
        return self._by_code.get(code)

    def usable(self, code: str, loc: tuple[str | int, ...] = ("code",)) -> AttendanceCode:
        """The active code `code`, or a 422 naming the field."""
        found = self._by_code.get(code)
        if found is None or not found.is_active:
            raise InvalidError(
                "Unknown attendance code.", [FieldProblem(loc, f"no active code {code!r}")]
            )
        return found

    def system(self, category: Category) -> AttendanceCode:
        """The system code the rules use for `category` (`P`, `T`, `A`, `E`, `ED` by default)."""
        for code in self._by_code.values():
            if code.is_system and code.category == category:
                return code
        raise LookupError(f"no system code for {category.value}")

    def all(self) -> list[AttendanceCode]:
        return sorted(self._by_code.values(), key=lambda c: (not c.is_system, c.code))
