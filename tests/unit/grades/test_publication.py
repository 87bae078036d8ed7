"""Publication: all, graded-only or chosen students, recording what changed since last time."""

from __future__ import annotations

from decimal import Decimal

import pytest

from edtech.grades.domain import (
    AssessmentPublished,
    GradesPublished,
    Mark,
    PublishScope,
    publish,
)
from edtech.kernel.errors import InvalidError
from edtech.kernel.ids import new_id
from tests.unit.grades.factories import INSTITUTION, NOW, SECTION, mark, result

BY = new_id()


def run(results: list, scope: PublishScope, chosen: list | None = None):  # type: ignore[no-untyped-def,type-arg]
    return publish(
        publication_id=new_id(),
        institution_id=INSTITUTION,
        assessment_id=new_id(),
        section_id=SECTION,
        results=results,
        scope=scope,
        chosen=chosen or [],
        by=BY,
        by_name="Tess",
        at=NOW,
        idempotency_key=None,
    )


def test_publish_all_publishes_every_result_with_a_draft() -> None:
    graded, ungraded_comment = result(draft=mark("8")), result(draft=Mark(comment="see me"))
    pub = run([graded, ungraded_comment, result()], PublishScope.ALL)
    assert {c.student_id for c in pub.changes} == {graded.student_id, ungraded_comment.student_id}
    assert graded.published == mark("8")


def test_publish_graded_only_leaves_ungraded_drafts_hidden() -> None:
    graded, excused, ungraded = (
        result(draft=mark("8")),
        result(draft=mark(None, "excused")),
        result(draft=Mark(comment="draft comment")),
    )
    pub = run([graded, excused, ungraded], PublishScope.GRADED)
    assert [c.student_id for c in pub.changes] == [graded.student_id, excused.student_id]
    assert ungraded.published is None


def test_publish_to_chosen_students_only() -> None:
    a, b = result(draft=mark("8")), result(draft=mark("9"))
    pub = run([a, b], PublishScope.STUDENTS, [b.student_id])
    assert [c.student_id for c in pub.changes] == [b.student_id]
    assert pub.student_ids == (b.student_id,)
    assert a.published is None


def test_chosen_students_must_have_results_and_nothing_is_published_otherwise() -> None:
    a = result(draft=mark("8"))
    with pytest.raises(InvalidError) as exc:
        run([a], PublishScope.STUDENTS, [a.student_id, new_id()])
    assert exc.value.problems[0].loc == ("student_ids", 1)
    assert a.published is None
    with pytest.raises(InvalidError):
        run([a], PublishScope.STUDENTS, [])


def test_republication_records_only_what_changed_since_the_last_one() -> None:
    a, b = result(draft=mark("8")), result(draft=mark("9"))
    run([a, b], PublishScope.ALL)
    b.draft = mark("10", comment="regraded")
    pub = run([a, b], PublishScope.ALL)
    (change,) = pub.changes
    assert change.student_id == b.student_id
    assert change.summary == ["score 9 → 10", "comment added"]
    assert change.as_data()["before"]["points"] == "9"
    assert run([a, b], PublishScope.ALL).changes == ()


def test_announce_tells_each_changed_student_and_guardians_then_the_teachers() -> None:
    changed, unchanged = result(draft=mark("8")), result()
    guardian = new_id()
    pub = run([changed, unchanged], PublishScope.ALL)
    total = {"percent": "80.0"}
    pub.announce(
        assessment_title="Quiz",
        max_points=Decimal("10"),
        totals={changed.student_id: total},
        guardians={changed.student_id: [guardian]},
    )
    first, last = pub.pull_events()
    assert isinstance(first, GradesPublished)
    assert first.student_id == changed.student_id
    assert first.recipients == (changed.student_id, guardian)
    assert (first.result["points"], first.result["max_points"]) == ("8", "10")
    assert (first.total, first.previous) == (total, None)
    assert isinstance(last, AssessmentPublished)
    assert [c["student_id"] for c in last.changes] == [str(changed.student_id)]


def test_announce_after_a_publication_that_changed_nothing_tells_nobody() -> None:
    pub = run([result()], PublishScope.ALL)
    pub.announce(assessment_title="Quiz", max_points=Decimal("10"), totals={}, guardians={})
    assert pub.pull_events() == []
