"""The files slice's use cases, one per module."""
