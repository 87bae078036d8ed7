"""Grades: schemes, categories, assessments, draft and published results, publication."""
