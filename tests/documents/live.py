"""Helpers for tests that run the real server (`portal demo` in its own process, as
e2e/conftest.py starts it) and talk to it over a socket: sign in as the demo provider,
and start an upload whose body the test sends at its own pace."""

from __future__ import annotations

import re
import socket

import httpx
from e2e.conftest import DEMO_PASSWORD, Server

BOUNDARY = "----portaltestboundary"


def sign_in(base_url: str) -> tuple[httpx.Client, int]:
    """The demo provider, signed in; and the id of their event."""
    http = httpx.Client(base_url=base_url, follow_redirects=False, timeout=10)
    page = http.get("/sign-in")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = http.post(
        "/sign-in", data={"csrf_token": token, "username": "provider", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 303, response.text
    event_url = http.get("/events").headers["location"]
    return http, int(event_url.rsplit("/", 1)[-1])


def form_token(http: httpx.Client, url: str) -> str:
    page = http.get(url)
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def upload_head(http: httpx.Client, url: str, file_name: str) -> bytes:
    """The body of an upload to `url` up to the file's own bytes: the CSRF field, then
    the file part's headers."""
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
        f"{form_token(http, url)}\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; "
        f'name="file"; filename="{file_name}"\r\nContent-Type: text/csv\r\n\r\n'
    ).encode()


def start_upload(
    server: Server, http: httpx.Client, url: str, head: bytes, announced: int
) -> socket.socket:
    """Send the request line and headers, then `head`; the caller sends the file's
    bytes, then `closing()`. `announced` is the Content-Length of the whole body."""
    cookies = "; ".join(f"{name}={value}" for name, value in http.cookies.items())
    request = (
        f"POST {url} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {announced}\r\nCookie: {cookies}\r\nConnection: close\r\n\r\n"
    ).encode()
    sock = socket.create_connection(("127.0.0.1", int(server.url.rsplit(":", 1)[-1])))
    sock.sendall(request + head)
    return sock


def closing() -> bytes:
    return f"\r\n--{BOUNDARY}--\r\n".encode()


def read_response(sock: socket.socket) -> tuple[int, str]:
    """The status code and body of the answer (the server closes the connection)."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body.decode(errors="replace")
