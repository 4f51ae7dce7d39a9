"""Account tables: password resets, rate limits."""
