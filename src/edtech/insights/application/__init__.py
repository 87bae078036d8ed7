"""The insights use cases."""
