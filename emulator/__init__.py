"""A local stand-in for the Telegram Bot API (tests, benchmarks, the demo)."""
