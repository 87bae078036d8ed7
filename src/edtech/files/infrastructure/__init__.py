"""Files infrastructure: tables and mapping, the repository, read queries, the roster view,
the PDF renderer and what other slices tell us about their records."""

from edtech.files.infrastructure.tables import stored_file, stored_file_subject

__all__ = ["stored_file", "stored_file_subject"]
