"""What other features may use of the factual accuracy check: its public face."""

from portal.accuracy.reminders import reminders_forever, send_reminders
from portal.accuracy.service import (
    extend_deadline,
    find,
    follow_report,
    form_link,
    metric_readings,
    open_check,
)
from portal.accuracy.waiting import CheckDue, checks_near_deadline, checks_of, working_days_left

__all__ = [
    "CheckDue",
    "checks_near_deadline",
    "checks_of",
    "extend_deadline",
    "find",
    "follow_report",
    "form_link",
    "metric_readings",
    "open_check",
    "reminders_forever",
    "send_reminders",
    "working_days_left",
]
