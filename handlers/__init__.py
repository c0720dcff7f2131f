"""Thin Telegram adapters: one package or module per feature, with COMMANDS and register(app)."""
