"""A data package on disk: its descriptor, safe file I/O, hashing, ledger."""
