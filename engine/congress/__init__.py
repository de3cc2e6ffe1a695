"""Staff congress proposals: congresses, sessions, delegates, co-signing, statistics, the public archive."""
