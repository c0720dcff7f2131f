"""Oversight: scorecards, the annual evaluation, funding, the 五有 checklist and exports."""
