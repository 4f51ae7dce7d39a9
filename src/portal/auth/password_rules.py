"""The password rule (quick start guide footnote): at least eight characters, letters
and digits, at least one capital letter; also at most 128 characters, not the username,
and not a commonly used password. Other characters (spaces, symbols) are allowed."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

MIN_LENGTH = 8
MAX_LENGTH = 128
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")


@dataclass(frozen=True)
class Rule:
    key: str
    text: str  # shown before typing, in the list
    message: str  # the error when a submitted password breaks it


RULES = [
    Rule("length", "at least 8 characters", "Your password must be at least 8 characters"),
    Rule("letters", "at least one letter", "Your password must contain letters and digits"),
    Rule("digits", "at least one digit (0 to 9)", "Your password must contain letters and digits"),
    Rule("capital", "at least one capital letter", "Your password must contain a capital letter"),
    Rule("max", "128 characters or fewer", "Your password must be 128 characters or fewer"),
    Rule("username", "not your username", "Your password must not be your username"),
    Rule(
        "common",
        "not a commonly used password",
        "Your password is too common: choose one that is harder to guess",
    ),
]


@dataclass(frozen=True)
class RuleResult:
    key: str
    text: str
    met: bool


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _met(key: str, password: str, username: str) -> bool:
    if key == "length":
        return len(password) >= MIN_LENGTH
    if key == "letters":
        return any(c.isalpha() for c in password)
    if key == "digits":
        return any(c.isdigit() for c in password)
    if key == "capital":
        return any(c.isupper() for c in password)
    if key == "max":
        return len(password) <= MAX_LENGTH
    if key == "username":
        name = username.strip().lower()
        return not name or password.strip().lower() != name
    if key == "common":
        return password.strip().lower() not in common_passwords()
    raise KeyError(key)


def check(password: str, username: str = "") -> list[RuleResult]:
    """Each rule, met or not, in the order shown to the user."""
    return [RuleResult(r.key, r.text, _met(r.key, password, username)) for r in RULES]


def problem(password: str, username: str = "") -> str | None:
    """The first broken rule's message, or None when the password is acceptable."""
    for rule in RULES:
        if not _met(rule.key, password, username):
            return rule.message
    return None
