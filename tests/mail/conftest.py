"""A real SMTP server (aiosmtpd) for the mail queue tests, that can be slow (so that
senders overlap) or hang on one message (so that its sender can die mid-send), and the
`portal` program run in processes of its own."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

import portal


@dataclass
class Mailbox:
    """What the server received: the subjects, in order of arrival."""

    subjects: list[str] = field(default_factory=list)
    delay: float = 0.0
    hang_on: str = ""  # a subject whose DATA is not answered until `released`
    released: threading.Event = field(default_factory=threading.Event)
    hung: threading.Event = field(default_factory=threading.Event)  # a sender is stuck there

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        subject = BytesHeaderParser().parsebytes(envelope.content)["Subject"]
        if subject == self.hang_on and not self.released.is_set():
            self.hung.set()
            await asyncio.to_thread(self.released.wait)
            return "451 4.3.0 Try again later"  # the stuck sender is gone by now
        await asyncio.sleep(self.delay)
        self.subjects.append(subject)
        return "250 Message accepted for delivery"


@dataclass
class Smtp:
    mailbox: Mailbox
    url: str


@pytest.fixture
def smtp() -> Iterator[Smtp]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield Smtp(mailbox, f"smtp://127.0.0.1:{port}")
    mailbox.released.set()
    controller.stop()


SRC = str(Path(portal.__file__).resolve().parents[1])


def portal_process(
    args: list[str], *, database_url: str, smtp_url: str, data_dir: Path
) -> subprocess.Popen[str]:
    """`portal <args>` as its own process, on the test's database and SMTP server."""
    env = {
        **os.environ,
        "PYTHONPATH": SRC,
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_SMTP_URL": smtp_url,
        "PORTAL_DATA_DIR": str(data_dir),
        "PORTAL_SECRET_KEY": "test-secret-key",
        "PORTAL_REDIS_URL": "",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "portal.cli", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
