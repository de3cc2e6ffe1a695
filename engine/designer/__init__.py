"""Designer support: version diffs and moving running cases to a new process version."""
