"""The messaging policy: who may start or continue a conversation with whom."""

from __future__ import annotations

import uuid

import pytest

from edtech.communication.domain import (
    ChildLink,
    Context,
    ContextKind,
    MessagingPolicy,
    PolicySettings,
    Profile,
)
from edtech.kernel.principal import Role

SECTION = uuid.uuid4()
OTHER_SECTION = uuid.uuid4()
CHILD = uuid.uuid4()


def person(*roles: Role, **kw: object) -> Profile:
    return Profile(person_id=uuid.uuid4(), display_name="x", roles=frozenset(roles), **kw)  # type: ignore[arg-type]


def guardian(
    *, may_message: bool = True, sections: frozenset[uuid.UUID] = frozenset({SECTION})
) -> Profile:
    return person(Role.GUARDIAN, children=(ChildLink(CHILD, sections, may_message),))


TEACHER = person(Role.TEACHER, staffed_sections=frozenset({SECTION}))
OTHER_TEACHER = person(Role.TEACHER, staffed_sections=frozenset({OTHER_SECTION}))
ADMIN = person(Role.INSTITUTION_ADMIN)
POLICY = MessagingPolicy()


def test_guardian_may_message_their_childs_teacher() -> None:
    assert POLICY.may_start(guardian(), TEACHER, None)
    assert POLICY.may_start(guardian(), TEACHER, Context(ContextKind.STUDENT, CHILD))
    assert POLICY.may_start(guardian(), TEACHER, Context(ContextKind.SECTION, SECTION))


def test_guardian_may_not_message_a_teacher_who_does_not_teach_their_child() -> None:
    verdict = POLICY.may_start(guardian(), OTHER_TEACHER, None)
    assert not verdict
    assert "own children" in verdict.reason


def test_context_must_be_the_guardians_own_child_in_that_teachers_section() -> None:
    assert not POLICY.may_start(guardian(), TEACHER, Context(ContextKind.STUDENT, uuid.uuid4()))
    assert not POLICY.may_start(guardian(), TEACHER, Context(ContextKind.SECTION, OTHER_SECTION))


def test_custody_restriction_or_no_can_message_blocks_both_directions() -> None:
    restricted = guardian(may_message=False)
    assert not POLICY.may_start(restricted, TEACHER, None)
    assert not POLICY.may_start(TEACHER, restricted, Context(ContextKind.STUDENT, CHILD))
    assert not POLICY.may_continue(restricted, TEACHER, None)


def test_teacher_may_message_guardians_of_own_students_only() -> None:
    assert POLICY.may_start(TEACHER, guardian(), None)
    assert not POLICY.may_start(OTHER_TEACHER, guardian(), None)


def test_admin_may_message_anyone_and_guardian_may_answer() -> None:
    g = guardian(sections=frozenset())
    assert POLICY.may_start(ADMIN, g, None)
    assert not POLICY.may_start(g, ADMIN, None)
    assert POLICY.may_continue(g, ADMIN, None)


def test_guardians_never_message_guardians() -> None:
    assert not POLICY.may_start(guardian(), guardian(), None)


@pytest.mark.parametrize("enabled", [False, True])
def test_students_message_classmates_only_when_enabled(enabled: bool) -> None:
    policy = MessagingPolicy(PolicySettings(students_may_message_students=enabled))
    a = person(Role.STUDENT, enrolled_sections=frozenset({SECTION}))
    b = person(Role.STUDENT, enrolled_sections=frozenset({SECTION}))
    stranger = person(Role.STUDENT, enrolled_sections=frozenset({OTHER_SECTION}))
    assert bool(policy.may_start(a, b, None)) is enabled
    assert not policy.may_start(a, stranger, None)


@pytest.mark.parametrize("enabled", [False, True])
def test_teacher_and_student_only_when_enabled(enabled: bool) -> None:
    policy = MessagingPolicy(PolicySettings(teachers_may_message_students=enabled))
    student = person(Role.STUDENT, enrolled_sections=frozenset({SECTION}))
    assert bool(policy.may_start(TEACHER, student, None)) is enabled
    assert bool(policy.may_start(student, TEACHER, None)) is enabled
    assert not policy.may_start(OTHER_TEACHER, student, None)


def test_nobody_messages_themselves() -> None:
    assert not POLICY.may_start(ADMIN, ADMIN, None)


def test_office_staff_may_message_guardians_unless_turned_off() -> None:
    accountant = person(Role.ACCOUNTANT)
    assert POLICY.may_start(accountant, guardian(), None)
    strict = MessagingPolicy(PolicySettings(office_staff_may_message_guardians=False))
    assert not strict.may_start(accountant, guardian(), None)


def test_guardians_may_message_admins_when_enabled() -> None:
    policy = MessagingPolicy(PolicySettings(guardians_may_message_admins=True))
    assert policy.may_start(guardian(), ADMIN, None)
