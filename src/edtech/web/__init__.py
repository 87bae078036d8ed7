"""The pages a school uses every day, served by every node at `/app`: the teacher's live board,
the parent app and the pages mailed links open (invitation, password reset, address change)."""
