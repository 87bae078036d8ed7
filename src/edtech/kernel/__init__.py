"""The shared kernel: pure building blocks every slice may use (no I/O, no frameworks)."""
