"""survey tables."""
