"""The messaging policy: who may start a conversation with whom, and about what.

Pure rules over facts the application gathers from the roster (`Profile`). The institution
configures the optional parts (`PolicySettings`); the rest is fixed: custody restrictions
apply everywhere, and parents never message parents.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field

from edtech.kernel.principal import STAFF_ROLES, Role

ADMIN_ROLES = frozenset({Role.INSTITUTION_ADMIN, Role.SCHOOL_ADMIN})
OFFICE_ROLES = frozenset({Role.ACCOUNTANT, Role.ATTENDANCE_OFFICER})


class ContextKind(enum.StrEnum):
    """What a conversation is about."""

    STUDENT = "student"
    SECTION = "section"


@dataclass(frozen=True)
class Context:
    """The student or section a conversation is about (None: about nothing in particular)."""

    kind: ContextKind
    id: uuid.UUID


@dataclass(frozen=True)
class ChildLink:
    """A guardian's link to one child: the child's sections and whether messaging is allowed.

    `may_message` is false when the link lacks `can_message` or carries a custody restriction.
    """

    student_id: uuid.UUID
    sections: frozenset[uuid.UUID]
    may_message: bool


@dataclass(frozen=True)
class Profile:
    """What the policy needs to know about one person today."""

    person_id: uuid.UUID
    display_name: str
    roles: frozenset[Role]
    staffed_sections: frozenset[uuid.UUID] = frozenset()
    """Sections the person teaches or assists in."""
    enrolled_sections: frozenset[uuid.UUID] = frozenset()
    """Sections the person attends as a student."""
    children: tuple[ChildLink, ...] = ()

    @property
    def is_admin(self) -> bool:
        return bool(self.roles & ADMIN_ROLES)

    @property
    def is_staff(self) -> bool:
        return bool(self.roles & STAFF_ROLES)

    @property
    def is_guardian(self) -> bool:
        return Role.GUARDIAN in self.roles or bool(self.children)

    @property
    def is_student(self) -> bool:
        return Role.STUDENT in self.roles

    def messageable_children(self, context: Context | None) -> tuple[ChildLink, ...]:
        """Children this guardian may message about, narrowed to the context if there is one."""
        kids = tuple(c for c in self.children if c.may_message)
        if context is None:
            return kids
        if context.kind is ContextKind.STUDENT:
            return tuple(c for c in kids if c.student_id == context.id)
        return tuple(c for c in kids if context.id in c.sections)


@dataclass(frozen=True)
class PolicySettings:
    """The parts of the policy an institution turns on or off."""

    students_may_message_students: bool = False
    teachers_may_message_students: bool = False
    guardians_may_message_admins: bool = False
    office_staff_may_message_guardians: bool = True
    staff_may_message_staff: bool = True


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Verdict(True)


@dataclass(frozen=True)
class MessagingPolicy:
    """Decides who may message whom inside one institution."""

    settings: PolicySettings = field(default_factory=PolicySettings)

    def may_start(self, a: Profile, b: Profile, context: Context | None) -> Verdict:
        """May `a` start a conversation with `b` about `context`?

        * admins may message anyone in their institution;
        * a guardian only the staff of their own children's sections, and only for a child
          whose link has `can_message` and no custody restriction;
        * a teacher the guardians of their own students (same conditions on the guardian's link);
        * students never other students unless the institution turns it on (classmates only);
        * teachers and their students only if the institution turns it on;
        * staff with staff, and office staff with guardians, unless turned off;
        * never yourself, never parent to parent.
        """
        if a.person_id == b.person_id:
            return Verdict(False, "you cannot start a conversation with yourself")
        if a.is_admin:
            return ALLOWED
        if a.is_staff and b.is_staff:
            if self.settings.staff_may_message_staff:
                return ALLOWED
            return _no("staff messaging is turned off in this institution")
        if a.is_guardian and b.is_staff:
            return self._guardian_to_staff(a, b, context)
        if a.is_staff and b.is_guardian:
            return self._staff_to_guardian(a, b, context)
        if a.is_staff and b.is_student:
            return self._teacher_and_student(teacher=a, student=b, context=context)
        if a.is_student and b.is_staff:
            return self._teacher_and_student(teacher=b, student=a, context=context)
        if a.is_student and b.is_student:
            return self._students(a, b, context)
        if a.is_guardian and b.is_guardian:
            return _no("guardians cannot message other guardians")
        return _no("the messaging policy does not allow this conversation")

    def may_continue(self, sender: Profile, other: Profile, context: Context | None) -> Verdict:
        """May `sender` keep writing to `other`? Allowed when either could have started it.

        This lets a guardian answer an admin, and stops a conversation when a custody
        restriction or a withdrawn `can_message` appears later.
        """
        forward = self.may_start(sender, other, context)
        if forward:
            return forward
        backward = self.may_start(other, sender, context)
        return backward if backward else forward

    def _staff_to_guardian(self, a: Profile, b: Profile, context: Context | None) -> Verdict:
        kids = b.messageable_children(context)
        if not kids:
            return _no("this guardian may not be messaged about this child")
        if a.roles & OFFICE_ROLES and self.settings.office_staff_may_message_guardians:
            return ALLOWED
        if any(c.sections & a.staffed_sections for c in kids):
            return ALLOWED
        return _no("you may only message the guardians of your own students")

    def _guardian_to_staff(self, a: Profile, b: Profile, context: Context | None) -> Verdict:
        kids = a.messageable_children(context)
        if not kids:
            return _no("you may not message about this child")
        if b.is_admin and self.settings.guardians_may_message_admins:
            return ALLOWED
        if any(c.sections & b.staffed_sections for c in kids):
            return ALLOWED
        return _no("you may only message the teachers of your own children")

    def _teacher_and_student(
        self, *, teacher: Profile, student: Profile, context: Context | None
    ) -> Verdict:
        if not self.settings.teachers_may_message_students:
            return _no("teachers and students do not message each other in this institution")
        shared = teacher.staffed_sections & student.enrolled_sections
        if context is not None and context.kind is ContextKind.SECTION:
            shared &= {context.id}
        if shared:
            return ALLOWED
        return _no("you may only message your own students and teachers")

    def _students(self, a: Profile, b: Profile, context: Context | None) -> Verdict:
        if not self.settings.students_may_message_students:
            return _no("students cannot message other students")
        if a.enrolled_sections & b.enrolled_sections:
            return ALLOWED
        return _no("students may only message classmates")


def _no(reason: str) -> Verdict:
    return Verdict(False, reason)
