"""Synthetic but realistic 乐清 rosters for the demo, benchmarks and tests, and bad rows in them."""
