"""Account tables: password resets, rate limits."""

from __future__ import annotations

from piccolo.columns import ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from portal.db.tables import User


class PasswordReset(Table, tablename="password_reset"):
    """One 'Forgotten or change password' request. The code is stored only as an argon2
    hash; once it has been entered correctly (`used_at`), the browser holds a random
    grant whose SHA-256 is `grant_hash`, good for setting the new password once."""

    user = ForeignKey(references=User, index=True)
    code_hash = Text()
    expires_at = Timestamptz()
    attempts = Integer(default=0)  # wrong codes entered; 5 voids the code
    used_at = Timestamptz(null=True, default=None)  # the code was entered correctly
    grant_hash = Varchar(length=64, default="", index=True)
    completed_at = Timestamptz(null=True, default=None)  # the new password was set
    voided_at = Timestamptz(null=True, default=None)  # superseded, brute-forced or closed
    created_at = Timestamptz(default=TimestamptzNow())


class RateLimitHit(Table, tablename="rate_limit_hit"):
    """Fixed-window counters for the database rate limiter (Redis replaces it when set)."""

    bucket = Varchar(length=250, unique=True)  # "<key>|<window number>"
    count = Integer(default=0)
    expires_at = Timestamptz(index=True)
