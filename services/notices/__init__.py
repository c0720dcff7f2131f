"""Notices with read receipts: drafts, sending, [已阅], the sender's panel, reminders, /todo."""
