"""Personal data: scrubbing, keyed hashes, the audit log, retention and erasure."""
