"""An HTTP client for the app that knows the portal's habits: sign in as a user,
send the CSRF token with every unsafe request, and ask as htmx when told to."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
import httpx
from litestar import Litestar
from litestar.testing import AsyncTestClient

from portal.auth.sessions import cookie_name
from portal.db.tables import User
from portal.web import csrf

PageHook = Callable[[httpx.Response], None]


class PortalClient:
    def __init__(
        self, client: AsyncTestClient[Litestar], app: Litestar, on_page: PageHook | None
    ) -> None:
        self.http = client
        self.app = app
        self.on_page = on_page
        self.user: User | None = None
        self.session_token: str | None = None

    @classmethod
    @asynccontextmanager
    async def for_app(
        cls, app: Litestar, on_page: PageHook | None = None
    ) -> AsyncIterator[PortalClient]:
        async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
            client.follow_redirects = False  # tests look at each redirect themselves
            yield cls(client, app, on_page)

    async def sign_in_as(self, user: User) -> PortalClient:
        """A real server-side session for `user`, as the sign-in page would create."""
        # Created on the app's own event loop (the test client runs the app in another
        # thread): a Redis connection belongs to the loop that opened it.
        portal = self.http.blocking_portal
        self.session_token = await anyio.to_thread.run_sync(
            portal.call, self.app.state.sessions.create, user.id
        )
        self.http.cookies.set(self.session_cookie, self.session_token, domain="testserver.local")
        self.user = user
        return self

    def sign_out_locally(self) -> None:
        self.http.cookies.delete(self.session_cookie)
        self.session_token = None
        self.user = None

    @property
    def session_cookie(self) -> str:
        return cookie_name(self.app.state.settings.secure_cookies)

    @property
    def presession_cookie(self) -> str:
        return csrf.anon_cookie(self.app.state.settings.secure_cookies)

    @property
    def csrf_token(self) -> str:
        seed = self.session_token or self.http.cookies.get(self.presession_cookie) or ""
        return csrf.token_for(self.app.state.settings.secret_key, seed)

    async def ensure_presession(self) -> None:
        if not self.session_token and not self.http.cookies.get(self.presession_cookie):
            await self.http.get("/sign-in")

    @staticmethod
    def _headers(htmx: bool, headers: dict[str, str] | None) -> dict[str, str]:
        result = dict(headers or {})
        if htmx:
            result.setdefault("HX-Request", "true")
        return result

    def _seen(self, response: httpx.Response, htmx: bool) -> httpx.Response:
        if (
            self.on_page
            and not htmx
            and response.headers.get("content-type", "").startswith("text/html")
        ):
            self.on_page(response)
        return response

    async def get(
        self, url: str, *, htmx: bool = False, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> httpx.Response:
        response = await self.http.get(url, headers=self._headers(htmx, headers), **kwargs)
        return self._seen(response, htmx)

    async def post(
        self,
        url: str,
        data: dict[str, Any] | list[tuple[str, str]] | None = None,
        *,
        htmx: bool = False,
        csrf_token: str | bool | None = True,
        headers: dict[str, str] | None = None,
        files: Any = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """POST a form. The CSRF token goes in the form (plain) or a header (htmx), as the
        browser would send it; csrf_token=False sends none, a string sends that one."""
        await self.ensure_presession()
        token = self.csrf_token if csrf_token is True else (csrf_token or None)
        all_headers = self._headers(htmx, headers)
        form: Any = data if data is not None else {}
        if token:
            if htmx:
                all_headers[csrf.HEADER] = token
            elif isinstance(form, list):
                form = [(csrf.FIELD, token), *form]
            else:
                form = {csrf.FIELD: token, **form}
        response = await self.http.post(url, data=form, files=files, headers=all_headers, **kwargs)
        return self._seen(response, htmx)
