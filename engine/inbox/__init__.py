"""Inbox and designer: saved filters, bulk actions, comments, attachments, version diffs, case migration."""
