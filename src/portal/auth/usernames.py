"""A username suggested from a person's name ("Jane Smith" → jane.smith, then jane.smith2
when that is taken), so the administrator need not make one up. Only a suggestion:
creating the account still checks the username is free."""

from __future__ import annotations

import re
import unicodedata

from portal.auth.accounts import USERNAME_PATTERN
from portal.db.tables import User

MAX_BASE = 90  # room for the number that makes it unique (100 at most)


def base_for(display_name: str) -> str:
    """The name's words in lower case ASCII, joined by dots; "" when nothing is left."""
    ascii_name = unicodedata.normalize("NFKD", display_name).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_name.lower().replace("'", "").replace("’", ""))
    base = ".".join(words)[:MAX_BASE].strip(".")
    return base if USERNAME_PATTERN.match(base) else ""


async def suggest(display_name: str) -> str:
    """An unused username made from the name; "" when the name gives none."""
    base = base_for(display_name)
    if not base:
        return ""
    # One read: every username starting with the base ('.' and letters are literal in LIKE).
    rows = await User.select(User.username).where(User.username.like(f"{base}%"))
    taken = {row["username"] for row in rows}
    if base not in taken:
        return base
    number = 2
    while f"{base}{number}" in taken:
        number += 1
    return f"{base}{number}"
