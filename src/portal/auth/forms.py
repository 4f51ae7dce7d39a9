"""Account forms: parse and validate → `Parsed(values, errors)`, errors keyed by field id
in the order of the fields on the page."""

from __future__ import annotations

from portal.auth import password_rules
from portal.validation import Errors, Parsed

Values = dict[str, str]


def sign_in(data: dict[str, str]) -> Parsed[Values]:
    values = {"username": data.get("username", ""), "password": data.get("password", "")}
    errors: Errors = {}
    if not values["username"].strip():
        errors["username"] = "Enter your username"
    if not values["password"]:
        errors["password"] = "Enter your password"
    return Parsed(values, errors)


def username(data: dict[str, str]) -> Parsed[Values]:
    """The 'Forgotten or change password' request: a username."""
    values = {"username": data.get("username", "").strip()}
    errors: Errors = {} if values["username"] else {"username": "Enter your username"}
    return Parsed(values, errors)


def reset_code(data: dict[str, str]) -> Parsed[Values]:
    values = {"username": data.get("username", "").strip(), "code": data.get("code", "").strip()}
    errors = dict(username(data).errors)
    if not values["code"]:
        errors["code"] = "Enter the code from the email"
    return Parsed(values, errors)


def new_password(
    data: dict[str, str], username: str, *, current_needed: bool = False
) -> Parsed[Values]:
    """A new password typed twice (and the current one, when changing it signed in)."""
    values = {
        "current_password": data.get("current_password", ""),
        "new_password": data.get("new_password", ""),
    }
    confirm = data.get("confirm_password", "")
    errors: Errors = {}
    if current_needed and not values["current_password"]:
        errors["current_password"] = "Enter your current password"
    new = values["new_password"]
    if not new:
        errors["new_password"] = "Enter a new password"
    else:
        problem = password_rules.problem(new, username)
        if problem:
            errors["new_password"] = problem
    if not confirm:
        errors["confirm_password"] = "Enter the new password again to confirm it"
    elif new and confirm != new:
        errors["confirm_password"] = "The passwords you entered do not match"
    return Parsed(values, errors)
