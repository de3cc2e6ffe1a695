"""SLA: due dates, pauses, extensions, reminders, escalation, out-of-office, the supervisors' board."""
