"""The data layer: the tables (models.tables) and keyword-only query functions per feature."""
