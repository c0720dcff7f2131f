"""Duties and reminders: the policy's rhythms (monthly reports, quarterly activities, reporting
deadlines, continuing education, ...) turned into reminders claimed exactly once."""
