"""admin tables."""
