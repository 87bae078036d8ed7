"""The OneRoster binding and package rules: pure, no I/O."""
