"""What other parts may use of accounts and sign-in: the public face of auth."""

from portal.auth.accounts import AccountError, create_user, deactivate, resend_invitation, unlock
from portal.auth.service import home_for

__all__ = [
    "AccountError",
    "create_user",
    "deactivate",
    "home_for",
    "resend_invitation",
    "unlock",
]
