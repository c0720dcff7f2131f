"""Thin Telegram adapters, one package or module per feature, each with COMMANDS and register(app)."""
