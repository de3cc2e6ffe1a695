"""Dispute mediation and disciplinary appeals: early warnings, deadlines, documents."""
