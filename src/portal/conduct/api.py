"""What other features may use of the code of conduct: its public face."""

from portal.conduct.service import section
from portal.conduct.waiting import OpenItems, concerns_without_lead, open_items

__all__ = ["OpenItems", "concerns_without_lead", "open_items", "section"]
