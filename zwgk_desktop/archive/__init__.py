"""The archive: sealed quarters, verification, corrections, bundles and backups."""
