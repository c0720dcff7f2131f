"""The reminder framework (the duty contract, the engine that claims and queues reminders, the
duties file, the viewer's scope and preview) and the duties that need no other feature: 联网直报
deadlines, continuing education, the weekly law tip. A feature's own duty lives in its package."""
