"""The page a read-and-acknowledge email links to: read the version, confirm it was read."""
