"""Notify's markup made into the text and HTML parts; values typed by users stay text."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.app import create_app
from portal.notify import body, messages
from portal.settings import Settings
from tests.outbox import BASE_URL

SOURCE = """# What happens next

* one
* two, see {link}.
* [the check]({link})

1. first
2. second

---

^ inset line one
^ line two

    indented, not code
"""


def test_text_part_lays_out_each_kind_of_block() -> None:
    link = "https://portal.example.test/events/1"
    text = body.to_text(SOURCE.format(link=link), [])
    assert text == (
        "What happens next\n\n"
        f"• one\n• two, see {link}.\n• the check: {link}\n\n"
        "1. first\n2. second\n\n"
        + "-" * 40
        + "\n\n    inset line one\n    line two\n\nindented, not code\n"
    )


def test_html_part_shows_each_links_address_and_styles_inline() -> None:
    link = "https://portal.example.test/events/1"
    html = body.to_html(SOURCE.format(link=link), [])
    assert "<h1 style=" in html and "<ul style=" in html and "<ol style=" in html
    assert '<blockquote style="font-size:19px' in html and "border-left:10px solid" in html
    # A bare address is a link to itself (its full stop is not part of it) ...
    assert (
        f'see <a href="{link}" style="color:#1d70b8;text-decoration:underline">{link}</a>.' in html
    )
    # ... and a link with text shows its address too.
    assert f">the check</a> ({link})" in html
    assert "<pre" not in html and "<code" not in html


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = Settings(data_dir=tmp_path_factory.mktemp("body"), base_url=BASE_URL)
    create_app(settings)
    return settings


def test_values_stay_text(installed: Settings, tmp_path: Path) -> None:
    (tmp_path / "notify").mkdir()
    (tmp_path / "notify" / "sample.md").write_text(
        "Subject: About {{ title }}\n\n{{ name }} wrote:\n\n^ {{ comment }}\n\n{{ url('auth.sign_in') }}\n"
    )
    hostile = (
        "*Ann* [click](https://evil.example/x) <script>alert(1)</script> https://evil.example/y"
    )
    mail = messages.render(
        tmp_path, "sample", {"title": "<b>5 & 6</b>", "name": hostile, "comment": "# not a heading"}
    )
    assert mail.subject == "About <b>5 & 6</b>"  # a header: plain text, made one line by mail
    assert f"{hostile} wrote:" in mail.text
    assert "# not a heading" in mail.text
    assert 'href="https://evil.example' not in mail.html and "<script>" not in mail.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in mail.html
    assert "<h1" not in mail.html
    assert "<title>About &lt;b&gt;5 &amp; 6&lt;/b&gt;</title>" in mail.html
    assert f'href="{BASE_URL}/sign-in"' in mail.html


def test_a_value_that_is_our_own_address_is_a_link(installed: Settings, tmp_path: Path) -> None:
    (tmp_path / "notify").mkdir()
    (tmp_path / "notify" / "own.md").write_text("Subject: Hi\n\nOpen [the page]({{ link }})\n")
    own = messages.render(tmp_path, "own", {"link": f"{BASE_URL}/events/3#concerns"})
    assert f'href="{BASE_URL}/events/3#concerns"' in own.html
    # Anyone else's address is never a link: shown as text, at most.
    other = messages.render(tmp_path, "own", {"link": "https://evil.example/events/3"})
    assert 'href="https://evil.example' not in other.html
