"""Institutions: the tenant, its schools, terms, sections, people, enrollments and guardians."""
