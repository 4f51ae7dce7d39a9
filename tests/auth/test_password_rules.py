"""The password rule, as a table: each password against each rule."""

from __future__ import annotations

import pytest

from portal.auth import password_rules
from portal.auth.password_rules import check, problem

CASES = [
    # password, username, broken rule (None: acceptable)
    ("Ab1", "", "length"),
    ("Kestrel42", "", None),
    ("kestrel42", "", "capital"),
    ("ABCDEFGH", "", "digits"),
    ("12345678", "", "letters"),
    ("Aa1" + "x" * 125, "", "max"),  # 128 characters: fine
    ("Aa1" + "x" * 126, "", "max"),
    ("Jo.Bloggs2026", "jo.bloggs2026", "username"),
    ("Password1", "", "common"),
    ("Qwerty123", "", "common"),
    ("Correct horse 7 battery!", "", None),  # spaces and symbols are allowed
    ("Ünïcødé Pässwörd 9", "", None),
]


@pytest.mark.parametrize(("password", "username", "broken"), CASES)
def test_password_rule(password: str, username: str, broken: str | None) -> None:
    results = {r.key: r.met for r in check(password, username)}
    if broken is None:
        assert all(results.values()), results
        assert problem(password, username) is None
    elif broken == "max" and len(password) == 128:
        assert all(results.values())
    else:
        assert results[broken] is False
        assert problem(password, username) is not None


def test_rules_are_listed_in_the_order_shown() -> None:
    assert [r.text for r in check("")][:4] == [
        "at least 8 characters",
        "at least one letter",
        "at least one digit (0 to 9)",
        "at least one capital letter",
    ]


def test_common_password_list_is_shipped_with_the_package() -> None:
    common = password_rules.common_passwords()
    assert len(common) > 5000
    assert "password1" in common
    assert password_rules.COMMON_PASSWORDS_FILE.parent.name == "auth"
