"""conduct tables."""
