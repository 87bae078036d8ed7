"""`python -m edtech.topology up|down|status` (the same as `edtech topology …`)."""

from edtech.topology.cli import main

main()
