"""Statistics-law knowledge base: cited law articles, curated Q&A, tips, and Chinese search.

Knows nothing of Telegram; the bot, the CLI and tests share it.
"""
