"""The set-based read behind a full recompute agrees with each student's own record."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from edtech.attendance.public import absence_summaries, student_record
from edtech.insights.domain import MISSED, Attended, summarize
from tests.integration.attendance.helpers import School
from tests.integration.insights.helpers import four_days_and_an_absence


async def test_absence_summaries_of_a_batch_equal_each_students_record(
    client: httpx.AsyncClient, school: School, app: FastAPI
) -> None:
    await four_days_and_an_absence(client, school, app)
    institution = school.demo.institution_id
    async with app.state.services.session_factory() as db:
        students = sorted(
            {school.person("student1@demo.test"), school.person("student2@demo.test")}
        )
        summaries = await absence_summaries(db, institution, students, tuple(MISSED))
        assert set(summaries) == set(students)
        for student in students:
            record = [
                Attended(r.session_id, r.school_id, r.day, r.category)
                for r in await student_record(db, institution, student)
            ]
            expected = summarize(record)
            got = summaries[student]
            assert (
                got.counted,
                got.first_day,
                got.last_day,
                got.school_id,
                got.last_attended_day,
                got.missed,
            ) == (
                expected.counted,
                expected.first_day,
                expected.last_day,
                expected.school_id,
                expected.last_attended_day,
                expected.missed,
            )
        student1 = school.person("student1@demo.test")
        assert len(summaries[student1].missed) == 1
        assert await absence_summaries(db, institution, [], tuple(MISSED)) == {}
