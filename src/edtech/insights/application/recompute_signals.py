"""Use case: recompute students' signals from their attendance and their published grades."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.attendance.public import absence_summaries, students_of_sessions
from edtech.grades.public import published_course_totals
from edtech.insights.domain import (
    MISSED,
    NO_RECORD,
    AbsenceRecord,
    Finding,
    attendance_findings,
)
from edtech.insights.domain.grades import CourseStanding, grade_findings
from edtech.insights.domain.thresholds import Thresholds
from edtech.insights.infrastructure.repositories import SqlAlchemySignals
from edtech.insights.infrastructure.standings import Standing, save_standings, standings_of
from edtech.insights.infrastructure.thresholds import thresholds_of
from edtech.institutions.public import (
    school_clock,
    schools_of_institution,
    section_titles,
    sections_in_term_on,
    sections_of_students,
)
from edtech.kernel.clock import Clock
from edtech.platform.db.uow import UnitOfWork


class RecomputeSignals:
    """Signals by the institution's thresholds. Absence: a student's ended sessions missed
    without excuse ÷ counted at `chronic_absence_percent` or more is an alert; consecutive
    absence: `consecutive_absent_days` school days missed in a row — both recomputed for the
    students of each closed session and each changed mark or decided note. Grades: a course
    total below `failing_percent`, a total down `grade_drop_points` since the previous
    publication, or `missing_work` pieces of work missing — recomputed for each student whose
    published grades changed. One transaction; a change of level is pushed to the school's
    counsellors and to the teachers of the student's sections today."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    async def __call__(
        self,
        institution_id: uuid.UUID,
        students: Iterable[uuid.UUID] = (),
        sessions: Iterable[uuid.UUID] = (),
        graded: Iterable[uuid.UUID] = (),
    ) -> int:
        changed = 0
        async with self.uow as uow:
            db = uow.session
            attending = set(students) | await students_of_sessions(
                db, institution_id, list(sessions)
            )
            grading = set(graded)
            thresholds = await thresholds_of(db, institution_id)
            signals = SqlAlchemySignals(db)
            now = self.clock.now()
            # One set-based read of every attending student's sessions, one claim of every
            # signal, whatever the number of students.
            summaries = await absence_summaries(
                db, institution_id, sorted(attending, key=str), tuple(MISSED)
            )
            # The graded students' course standings, read and saved for all of them at once.
            graded_findings = (
                await _Courses(db, self.clock, institution_id).findings(
                    sorted(grading, key=str), thresholds
                )
                if grading
                else {}
            )
            findings: list[tuple[uuid.UUID, Finding]] = []
            for student_id in sorted(attending | grading, key=str):
                if student_id in attending:
                    found = summaries.get(student_id)
                    record = (
                        NO_RECORD
                        if found is None
                        else AbsenceRecord(
                            found.counted,
                            found.first_day,
                            found.last_day,
                            found.school_id,
                            found.last_attended_day,
                            found.missed,
                        )
                    )
                    for finding in attendance_findings(record, thresholds):
                        findings.append((student_id, finding))
                for finding in graded_findings.get(student_id, ()):
                    findings.append((student_id, finding))
            # Created if missing and locked: a concurrent recompute of the same students
            # waits for this one instead of failing on the unique key.
            claimed = await signals.claim_many(
                institution_id, [(s, f.indicator) for s, f in findings], now
            )
            # The sections a change goes to (their teachers follow it), read once for the
            # students whose level changes — none when nothing does (most recomputes).
            moving = {s for s, f in findings if claimed[(s, f.indicator)].changes_level(f)}
            sections = await sections_of_students(db, self.clock, institution_id, moving)
            for student_id, finding in findings:
                changed += claimed[(student_id, finding.indicator)].update(
                    finding, now, sections.get(student_id, ())
                )
            signals.save(claimed.values())
            await uow.commit()
        return changed


class _Courses:
    """Students' course standings: grades' published totals compared with the ones insights
    saw last (kept, with the day they were first seen, to tell a drop since then). Set-based:
    a class's publication is read and saved in a fixed number of statements."""

    def __init__(self, db: AsyncSession, clock: Clock, institution_id: uuid.UUID) -> None:
        self.db, self.clock, self.institution_id = db, clock, institution_id

    async def findings(
        self, student_ids: Sequence[uuid.UUID], thresholds: Thresholds
    ) -> dict[uuid.UUID, list[Finding]]:
        db, institution_id = self.db, self.institution_id
        totals = await published_course_totals(db, institution_id, student_ids)
        if not totals:
            return {}
        today = (await school_clock(db, self.clock, institution_id)).today()
        schools = set(await schools_of_institution(db, institution_id))
        in_term = await sections_in_term_on(db, institution_id, today, schools)
        seen = await standings_of(db, institution_id, list(totals))
        titles = await section_titles(
            db, institution_id, [t.section_id for mine in totals.values() for t in mine]
        )
        rows: list[tuple[uuid.UUID, uuid.UUID, Standing]] = []
        out: dict[uuid.UUID, list[Finding]] = {}
        for student_id, mine in totals.items():
            known_of = seen.get(student_id, {})
            standings = []
            for t in mine:
                known = known_of.get(t.section_id)
                now: Standing
                if known is None:
                    now = (t.percent, today, None, None)
                elif known[0] != t.percent:
                    now = (t.percent, today, known[0], known[1])
                else:
                    now = known
                if known != now:
                    rows.append((student_id, t.section_id, now))
                percent, since, previous, previous_since = now
                standings.append(
                    CourseStanding(
                        section_id=t.section_id,
                        title=titles.get(t.section_id, "A course"),
                        school_id=in_term.get(t.section_id),
                        percent=percent,
                        since=since,
                        previous_percent=previous,
                        previous_since=previous_since,
                        missing=t.missing,
                    )
                )
            out[student_id] = grade_findings(student_id, standings, thresholds)
        await save_standings(db, institution_id, rows)  # those that changed
        return out
