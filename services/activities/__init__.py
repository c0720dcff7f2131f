"""Grid activities and check-in, free of Telegram: publishing, codes, check-in, panel, leave."""
