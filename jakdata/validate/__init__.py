"""Validation: descriptor -> read -> checks -> findings (see :mod:`.checker`)."""
