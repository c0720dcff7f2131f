"""Alembic schema migrations of models.tables, run by models.migrate (`gridbot db upgrade`)."""
