"""Identity: accounts, sign-in, tokens and scanner-device keys."""
