"""The grid tree: browsing it (/grid), partitioning it (`gridbot grids partition`), showing it."""
