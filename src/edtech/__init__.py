"""edtech: the open-source backend for school platforms."""

__version__ = "0.1.0"
