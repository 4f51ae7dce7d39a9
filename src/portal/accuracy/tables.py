"""accuracy tables."""
