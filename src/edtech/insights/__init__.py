"""Early-warning signals: explainable indicators of students slipping away, with evidence."""
