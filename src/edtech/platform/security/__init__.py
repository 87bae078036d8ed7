"""Password hashing, signed tokens and API keys."""
