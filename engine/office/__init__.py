"""The union office's reference data, kept as data it edits itself: organisation units, the working-day
calendar, staff and their import, and the audit trail of every administrative change."""
