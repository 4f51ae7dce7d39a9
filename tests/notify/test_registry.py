"""Every message in templates/notify/ renders from its sample (tests/notify/samples.py)
without a missing value, and every link in it starts with the public address."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import UndefinedError

from portal import notify
from portal.app import create_app
from portal.settings import Settings
from tests.notify.samples import SAMPLES
from tests.outbox import BASE_URL, HREF, assert_links

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
MESSAGES = sorted(path.stem for path in (TEMPLATES / "notify").glob("*.md"))
SOMEONE = notify.Recipient("pat@example.org", "Pat Jones")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> None:
    """An app at a distinctive public address: links and messages installed."""
    data_dir = tmp_path_factory.mktemp("registry")
    create_app(Settings(data_dir=data_dir, base_url=BASE_URL + "/", mail_worker=False))


def test_every_message_has_a_sample() -> None:
    assert MESSAGES, "no message sources found"
    assert sorted(set(MESSAGES) - set(SAMPLES)) == []
    assert sorted(set(SAMPLES) - set(MESSAGES)) == []  # a sample of a message that is gone


@pytest.mark.parametrize("message", MESSAGES)
def test_message_renders_with_links_to_the_public_address(installed: None, message: str) -> None:
    mail = notify.preview(message, SOMEONE, **SAMPLES[message])
    assert mail.subject and "\n" not in mail.subject
    assert "Pat Jones" in mail.text and "Pat Jones" in mail.html
    for part in (mail.subject, mail.text, mail.html):
        assert "\ue000" not in part and "None" not in part and "{{" not in part
    assert mail.html.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert f"<title>{mail.subject}</title>" in mail.html or "&" in mail.subject
    assert_links(mail.text, mail.html)
    assert HREF.findall(mail.html), "the HTML part has no link"


@pytest.mark.parametrize("message", MESSAGES)
def test_a_missing_value_is_an_error(installed: None, message: str) -> None:
    values = dict(SAMPLES[message])
    if not values:
        return  # nothing the caller gives: nothing to leave out
    values.pop(sorted(values)[0])
    with pytest.raises(UndefinedError):
        notify.preview(message, SOMEONE, **values)
