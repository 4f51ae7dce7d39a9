"""Account forms: parse and validate → {field_id: message}."""

from __future__ import annotations

from portal.auth import password_rules


def new_password_errors(data: dict[str, str], username: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    new = data.get("new_password", "")
    confirm = data.get("confirm_password", "")
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
    return errors


def username_errors(data: dict[str, str]) -> dict[str, str]:
    if not data.get("username", "").strip():
        return {"username": "Enter your username"}
    return {}
