"""Fixtures for the account tests: a real SMTP server (aiosmtpd) in the test, with
STARTTLS, implicit TLS and AUTH when asked, and a self-signed certificate for it."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.auth.moving_clock import moving_clock  # noqa: F401 (a fixture for these tests)

SMTP_USER = "portal"
SMTP_PASSWORD = "s3cret-Mail"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    tls: bool
    login: str | None


@dataclass
class MailHandler:
    messages: list[Received] = field(default_factory=list)
    refuse: bool = False
    attempts: int = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.attempts += 1
        if self.refuse:
            return "554 5.7.1 Message refused by policy"
        login = session.auth_data.login.decode() if session.auth_data else None
        self.messages.append(
            Received(
                envelope.mail_from,
                list(envelope.rcpt_tos),
                envelope.original_content or envelope.content,
                session.ssl is not None
                or server.transport.get_extra_info("sslcontext") is not None,
                login,
            )
        )
        return "250 Message accepted for delivery"


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any):
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login.decode() == SMTP_USER
        and auth_data.password.decode() == SMTP_PASSWORD
    )
    return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


@dataclass
class SmtpServer:
    port: int
    handler: MailHandler
    cert: Path | None

    def url(self, scheme: str = "smtp", *, login: bool = False, query: str = "") -> str:
        auth = f"{SMTP_USER}:{SMTP_PASSWORD}@" if login else ""
        cafile = f"cafile={self.cert}" if self.cert else ""
        params = "&".join(p for p in (query, cafile) if p)
        return f"{scheme}://{auth}127.0.0.1:{self.port}" + (f"?{params}" if params else "")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made with the openssl command."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
            "-keyout", str(key), "-out", str(cert), "-days", "2",
            "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def smtp_server(certificate: tuple[Path, Path]) -> Iterator[Callable[..., SmtpServer]]:
    """start(tls="none" | "starttls" | "implicit", auth=False) -> a running SMTP server."""
    import ssl

    controllers: list[Controller] = []

    def start(tls: str = "none", auth: bool = False) -> SmtpServer:
        handler = MailHandler()
        context = None
        if tls != "none":
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*certificate)
        port = _free_port()
        kwargs: dict[str, Any] = {}
        if tls == "starttls":
            kwargs.update(tls_context=context, require_starttls=True)
        elif tls == "implicit":
            kwargs.update(ssl_context=context)
        if auth:
            kwargs.update(authenticator=_authenticate, auth_required=True, auth_require_tls=True)
        controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
        controller.start()
        controllers.append(controller)
        return SmtpServer(port, handler, certificate[0] if tls != "none" else None)

    yield start
    for controller in controllers:
        controller.stop()
