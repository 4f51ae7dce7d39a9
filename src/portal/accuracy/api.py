"""What other features may use of the factual accuracy check: its public face."""

from portal.accuracy.service import extend_deadline, find, form_link, metric_readings, open_check

__all__ = ["extend_deadline", "find", "form_link", "metric_readings", "open_check"]
