"""A section book: the published view hides drafts; the teacher's view counts them."""

from __future__ import annotations

from edtech.grades.domain import Category, Gradebook, Weighting
from edtech.grades.domain.book import SectionBook
from edtech.kernel.ids import new_id
from tests.unit.grades.factories import INSTITUTION, NOW, SECTION, assessment, mark, result

HOMEWORK = Category(id=new_id(), name="Homework", weight_ppm=1_000_000)


def test_published_view_sees_only_published_values_and_teacher_view_sees_drafts() -> None:
    book = Gradebook(section_id=SECTION, institution_id=INSTITUTION, categories=[HOMEWORK])
    a1, a2 = assessment(category=HOMEWORK), assessment(category=HOMEWORK)
    student = new_id()
    r1 = result(student, mark("8"))
    r1.assessment_id = a1.id
    r1.publish(at=NOW, by=new_id())
    r1.draft = mark("10")  # regraded, not yet republished
    r2 = result(student, mark("4"))
    r2.assessment_id = a2.id
    sb = SectionBook(book, None, [a1, a2], {(a1.id, student): r1, (a2.id, student): r2})
    published = sb.total(student, published=True)
    teacher = sb.total(student, published=False)
    assert str(published.percent) == "80.0"  # only 8 / 10 is visible
    assert str(teacher.percent) == "70.0"  # (10 + 4) / 20
    assert [line.points for line in published.categories[0].lines][1] is None
    assert sb.total(new_id(), published=True).percent is None


def test_a_book_without_a_gradebook_totals_unweighted() -> None:
    a = assessment("20")
    student = new_id()
    r = result(student, mark("5"))
    r.assessment_id = a.id
    sb = SectionBook(None, None, [a], {(a.id, student): r})
    t = sb.total(student, published=False)
    assert t.weighting is Weighting.UNWEIGHTED
    assert t.percent is None  # no categories: nothing to count
