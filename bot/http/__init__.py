"""What every web process of ours shares at its edge: security headers and the
client address behind a trusted proxy."""
