"""Realtime: `insights.school.{id}`, where a school's counsellors see signals change live;
`insights.section.{id}`, where a section's teachers see those of its students; "attendance not
taken" alerts to teachers' and officers' own inboxes (`user.{id}`)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import date, datetime

from pydantic import BaseModel, Field

from edtech.insights.domain import SignalChanged
from edtech.insights.domain.not_taken import AttendanceNotTaken
from edtech.institutions.public import Policy, school_in_institution
from edtech.kernel.principal import Principal, Role
from edtech.realtime.public import AuthorizationContext, ChannelType, Delivery, Registrar, inbox


class SignalChangedData(BaseModel):
    signal_id: uuid.UUID
    student_id: uuid.UUID
    school_id: uuid.UUID | None
    indicator: str
    level: str
    previous_level: str
    evidence: str
    missed: int
    counted: int
    missed_sessions: list[uuid.UUID]
    links: list[dict[str, str]] = Field(
        default_factory=list,
        description="The records behind the evidence: `{rel, href}` (session, grades, assessment).",
    )
    section_ids: list[uuid.UUID] = Field(
        default_factory=list,
        description=(
            "On `insights.school.{id}`: the sections the student is enrolled in today (each "
            "gets the event). On `insights.section.{id}`: that section alone — a section's "
            "subscribers do not learn the student's other sections."
        ),
    )


class AttendanceNotTakenData(BaseModel):
    """A session whose period started `minutes` ago with nobody marked (to its teachers and the
    school's attendance officers, once)."""

    session_id: uuid.UUID
    section_id: uuid.UUID
    school_id: uuid.UUID
    day: date
    starts_at: datetime
    minutes: int
    students: int


def may_follow_signals(principal: Principal, school_id: uuid.UUID) -> bool:
    """Counsellors of the school (or of every school) and its administrators."""
    return principal.has_role(Role.COUNSELLOR, school_id) or principal.is_admin_of(school_id)


async def _authorize(
    principal: Principal, params: Mapping[str, uuid.UUID], ctx: AuthorizationContext
) -> bool:
    school_id = params["id"]
    if not await school_in_institution(ctx.session, principal.institution_id, school_id):
        return False
    return may_follow_signals(principal, school_id)


SCHOOL_SIGNALS = ChannelType(
    pattern="insights.school.{id}",
    authorize=_authorize,
    description=(
        "Early-warning signals of a school's students as they change level, with their "
        "evidence. Only the school's counsellors and administrators may subscribe. Durable: "
        "list the signals over REST, then subscribe."
    ),
    durable=True,
    history_size=500,
    events={SignalChanged.type: SignalChangedData},
)


async def _authorize_section(
    principal: Principal, params: Mapping[str, uuid.UUID], ctx: AuthorizationContext
) -> bool:
    """The section's teachers and aides today, and whoever follows its school's signals."""
    policy = await Policy.at_school(ctx.session, ctx.clock, principal.institution_id)
    school_id = await policy.school_of_section(principal.institution_id, params["id"])
    if school_id is None:
        return False
    return may_follow_signals(principal, school_id) or await policy.teaches_section(
        principal, params["id"]
    )


SECTION_SIGNALS = ChannelType(
    pattern="insights.section.{id}",
    authorize=_authorize_section,
    description=(
        "Early-warning signals of a section's students as they change level, with their "
        "evidence: each change goes to every section the student is enrolled in today. The "
        "section's teachers and aides, and its school's counsellors and administrators, may "
        "subscribe. Durable: list the signals over REST (`section_id=`), then subscribe."
    ),
    durable=True,
    history_size=500,
    events={SignalChanged.type: SignalChangedData},
)


def _to_school_and_sections(event: SignalChanged) -> Iterable[str | Delivery]:
    """The school's channel with every section the student is in today; each section's channel
    with that section alone (its teachers need not learn the student's other sections)."""
    school = [] if event.school_id is None else [SCHOOL_SIGNALS.name(id=event.school_id)]
    data = event.payload()
    return [
        *school,
        *(
            Delivery(SECTION_SIGNALS.name(id=s), {**data, "section_ids": [str(s)]})
            for s in dict.fromkeys(event.section_ids)
        ),
    ]


def _to_teachers_and_office(event: AttendanceNotTaken) -> Iterable[Delivery]:
    """Each teacher's and officer's own inbox; who else was told stays out of the payload."""
    data = event.payload()
    data.pop("teachers", None)
    data.pop("office", None)
    people = dict.fromkeys([*event.teachers, *event.office])
    return [Delivery(inbox(p), data) for p in people]


def register(registry: Registrar) -> None:
    registry.add(SCHOOL_SIGNALS)
    registry.add(SECTION_SIGNALS)
    registry.route(SignalChanged, _to_school_and_sections)
    registry.route(AttendanceNotTaken, _to_teachers_and_office)
    registry.describe("user.{id}", {AttendanceNotTaken.type: AttendanceNotTakenData})
