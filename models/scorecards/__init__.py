"""Query functions for grid scorecards: per level-3 grid aggregates over a time window."""
