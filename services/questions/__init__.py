"""Questions to instructors: filing and routing, replies and hand-overs, the SLA, FAQ candidates."""
