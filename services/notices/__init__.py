"""Notices with read receipts: drafts and audiences, sending through the outbox, [已阅], the sender's panel, reminders of unread notices and their /todo lines."""
