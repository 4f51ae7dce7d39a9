"""The administration commands (`portal create-provider`, `create-event`, ...), run as
the support administrator would: the real `portal` program in its own process, on an
SQLite database in a fresh data dir. Each says what it did, or "Error: ..." and exits 1."""

from __future__ import annotations

import os
import shlex
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest


class Portal:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir

    def __call__(self, command: str, *, ok: bool = True) -> str:
        """Run `portal <command>` (shell-quoted words); its output, checked for success."""
        env = {**os.environ, "PORTAL_DATABASE_URL": "", "PORTAL_SMTP_URL": ""}
        argv = [sys.executable, "-m", "portal.cli", "--data-dir", str(self.data_dir)]
        done = subprocess.run(
            [*argv, *shlex.split(command)], capture_output=True, text=True, env=env, timeout=120
        )
        assert (done.returncode == 0) == ok, done.stdout + done.stderr
        return done.stdout

    def query(self, sql: str) -> list[tuple[object, ...]]:
        with sqlite3.connect(self.data_dir / "portal.sqlite3") as conn:
            return conn.execute(sql).fetchall()


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Portal:
    return Portal(tmp_path_factory.mktemp("commands"))


def test_set_up_an_inspection_from_the_command_line(portal: Portal) -> None:
    out = portal(
        "create-provider --urn 777001 --name 'Brook Lane School' --address '1 Brook Lane\\nLeeds'"
    )
    assert out == "Provider 777001 created (id 1).\n"  # nothing else: migrations run quietly
    assert portal.query("SELECT name, address FROM provider WHERE urn = '777001'") == [
        ("Brook Lane School", "1 Brook Lane\nLeeds")
    ]
    out = portal(
        "create-user --username kim.lead --email kim@ofsted.example "
        "--display-name 'Kim Lead HMI' --role inspector"
    )
    assert "Created kim.lead (inspector); invitation emails queued for kim@ofsted.example" in out
    assert len(list((portal.data_dir / "outbox").glob("*.eml"))) == 2
    hash_before = portal.query("SELECT password_hash FROM portal_user")
    assert portal("resend-invitation --username Kim.Lead").splitlines() == [
        "Invitation sent again to kim@ofsted.example; the previous password no longer works.",
        f"Mail is sent to {(portal.data_dir / 'outbox').resolve()}.",
    ]
    assert portal.query("SELECT password_hash FROM portal_user") != hash_before
    assert len(list((portal.data_dir / "outbox").glob("*.eml"))) == 4

    out = portal(
        "create-event --provider-urn 777001 --event-id ins-777 --type inspection "
        "--start 2026-12-01 --end 2026-12-02"
    )
    assert out.startswith("Event INS-777 created")
    out = portal("add-team-member --event-id INS-777 --username kim.lead --role lead")
    assert out == "kim.lead added to INS-777 as Lead inspector.\n"
    assert portal.query(
        "SELECT u.username, t.team_role FROM team_member t JOIN portal_user u ON u.id = t.user"
    ) == [("kim.lead", "lead")]

    listed = portal("list-events --search 'Brook Lane'").splitlines()
    assert listed[0].split()[:2] == ["INS-777", "inspection"]
    assert listed[0].endswith("777001     Brook Lane School")
    assert listed[-1] == "Page 1 of 1, 1 event."

    assert portal("update-provider --urn 777001 --name 'Brook Lane Academy'") == (
        "Provider 777001 saved.\n"
    )
    assert portal.query("SELECT name, address FROM provider WHERE urn = '777001'") == [
        ("Brook Lane Academy", "1 Brook Lane\nLeeds")
    ]

    assert portal("close-event --event-id INS-777") == "Event INS-777 closed.\n"
    assert portal("close-event --event-id ins-777") == "Event INS-777 was already closed.\n"
    # A closed event stays as it was.
    for command in (
        "add-team-member --event-id INS-777 --username kim.lead",
        "remove-team-member --event-id INS-777 --username kim.lead",
        "extend-deadline --event-id INS-777 --date 2026-12-20",
    ):
        assert portal(command, ok=False) == "Error: the event is closed\n"
    assert portal.query("SELECT count(*) FROM team_member") == [(1,)]


def test_commands_say_what_is_wrong_and_change_nothing(portal: Portal) -> None:
    assert portal("close-event --event-id NOPE-1", ok=False) == (
        "Error: there is no event with the event ID NOPE-1\n"
    )
    out = portal(
        "create-event --provider-urn 000000 --event-id X-1 --type visit "
        "--start 2026-12-01 --end 2026-12-01",
        ok=False,
    )
    assert out == "Error: there is no provider with the URN 000000\n"
    assert portal.query("SELECT count(*) FROM event WHERE event_ref = 'X-1'") == [(0,)]
    out = portal("create-provider --urn '' --name ''", ok=False)
    assert out.startswith("Error: ")
    assert portal.query("SELECT count(*) FROM provider WHERE urn = ''") == [(0,)]


def test_failed_mail_is_listed_and_sent_again(portal: Portal) -> None:
    portal("migrate")
    with sqlite3.connect(portal.data_dir / "portal.sqlite3") as conn:
        conn.execute(
            "INSERT INTO outgoing_mail (to_address, subject, text_body, html_body, status, "
            "attempts, last_error, created_at, next_attempt_at) VALUES "
            "('kim@ofsted.example', 'Your Provider Portal account', 'Hello', '', 'failed', "
            "5, '550 mailbox unavailable', '2026-11-23 09:00:00+00:00', "
            "'2026-11-23 09:00:00+00:00')"
        )
        mail_id = conn.execute("SELECT max(id) FROM outgoing_mail").fetchone()[0]
    listed = portal("failed-mail").splitlines()
    assert listed[0].split()[:2] == [str(mail_id), "kim@ofsted.example"]
    assert listed[0].endswith("Your Provider Portal account")
    assert listed[1].strip() == "after 5 tries: 550 mailbox unavailable"
    assert listed[-1] == "1 failed message."

    outbox = portal.data_dir / "outbox"
    before = set(outbox.glob("*.eml")) if outbox.exists() else set()
    assert portal(f"retry-mail --id {mail_id}") == (
        f"Message {mail_id} sent to {outbox.resolve()}.\n"
    )
    sent = set(outbox.glob("*.eml")) - before
    assert len(sent) == 1 and "Your Provider Portal account" in sent.pop().read_text()
    assert portal.query(f"SELECT status FROM outgoing_mail WHERE id = {mail_id}") == [("sent",)]
    assert portal("failed-mail").splitlines() == ["0 failed messages."]
    assert portal(f"retry-mail --id {mail_id}", ok=False) == (
        f"Error: there is no failed message with the id {mail_id}\n"
    )
