"""What other features may use of the code of conduct: its public face."""

from portal.conduct.service import section

__all__ = ["section"]
