"""Technical plumbing shared by the slices; no business rules live here."""
