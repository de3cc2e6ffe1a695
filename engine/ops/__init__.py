"""Operations: health, metrics, scheduler heartbeat, backup and restore."""
