"""Rosters the way schools move them: OneRoster 1.2 CSV import and export, and the provider."""
