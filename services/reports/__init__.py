"""Monthly grid reports and quarterly grid activities: their duties (reminders, digests,
escalations on the services.duties engine), /report submission, the digest's buttons, status
and /todo, and their texts."""
