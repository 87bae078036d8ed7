"""Identity use cases: sign in, rotate, sign out, set a login, register and revoke devices."""
