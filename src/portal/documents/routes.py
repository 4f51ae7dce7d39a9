"""Document routes: download, and the 'Documents Uploaded by Provider' / 'by Ofsted'
screens (upload, staged delete with 'Yes - Delete', Save, Cancel).

The two screens are one `DocumentsScreen` controller, declared once per side: its
subclass sets the path (`/events/{id}/documents` for provider users,
`/events/{id}/ofsted-documents` for inspectors on the event's team) and the `Side`,
which also names its routes (`documents.provider`, `documents.provider.upload`, …).
Handlers parse, call the service, and render or redirect."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.handlers import BaseRouteHandler
from litestar.response import Response, Stream

from portal.db.tables import Document
from portal.documents import forms, service, versions
from portal.documents.scan import Clamd
from portal.documents.storage import DocumentStore
from portal.documents.upload import OVERHEAD_BYTES, read_upload
from portal.receipts.api import with_reference
from portal.validation import Refused
from portal.web.access import EventAccess
from portal.web.banner import banner, with_banner
from portal.web.downloads import stream_response
from portal.web.page_cache import cached_page
from portal.web.render import redirect, render, wants_fragment
from portal.web.routing import event_router

TEMPLATE = "documents/manage.html"
BLOCK = "document_list"


@dataclass(frozen=True)
class Side:
    side: str  # provider | ofsted
    title: str  # the screen's name in the quick start guide

    def route(self, action: str = "") -> str:
        """The name of this side's route for `action` ("" for the screen itself)."""
        return f"documents.{self.side}" + (f".{action}" if action else "")


PROVIDER = Side("provider", "Documents Uploaded by Provider")
OFSTED = Side("ofsted", "Documents Uploaded by Ofsted")


@get("/documents/{document_id:int}/download", name="documents.download")
async def download(
    request: Request[Any, Any, Any], access: EventAccess, document_id: int
) -> Stream:
    document = await service.find_visible(access, document_id)
    if document is None:
        raise NotFoundException()
    store: DocumentStore = request.app.state.files
    opened = await store.open(document.stored_name)
    if opened is None:
        raise NotFoundException()
    return stream_response(opened.chunks, opened.size, document.file_name, document.content_type)


def _uploaded_notice(staged: list[Document]) -> str:
    if not staged:
        return ""
    if len(staged) == 1:
        what = f"‘{staged[0].file_name}’ has been uploaded"
    else:
        what = f"{len(staged)} files have been uploaded"
    return f"Upload complete. {what} but not saved yet. Select Save to keep your changes."


class DocumentsScreen(Controller):
    """One side's screen. Each handler's `opt["action"]` names it within the side."""

    screen: ClassVar[Side]

    def get_route_handlers(self) -> list[BaseRouteHandler]:
        handlers = super().get_route_handlers()
        for handler in handlers:
            handler.name = self.screen.route(handler.opt["action"])
        return handlers

    def _require_change(self, access: EventAccess) -> None:
        access.require(service.may_change(access, self.screen.side))

    async def _changeable(self, access: EventAccess, document_id: int) -> Document:
        self._require_change(access)
        document = await service.changeable(access, self.screen.side, document_id)
        if document is None:
            raise NotFoundException()
        return document

    def _screen_url(self, request: Request[Any, Any, Any], access: EventAccess) -> str:
        return request.app.route_reverse(self.screen.route(), event_id=access.event.id)

    async def _render_list(
        self,
        request: Request[Any, Any, Any],
        access: EventAccess,
        *,
        errors: dict[str, str] | None = None,
        notice: str = "",
        values: dict[str, str] | None = None,
        confirming: int | None = None,
        focus_row: int | None = None,
        done: str | None = None,
    ) -> Response[Any]:
        context = await self._list_context(request, access)
        return render(
            request,
            TEMPLATE,
            {
                **context,
                "errors": errors or {},
                "notice": notice,
                "values": values or {},
                "confirming": confirming,
                "focus_row": focus_row,
                "banner": done,
            },
            block=BLOCK,
        )

    async def _list_context(
        self, request: Request[Any, Any, Any], access: EventAccess
    ) -> dict[str, Any]:
        settings = request.app.state.settings
        documents = await service.documents_for(access, self.screen.side)
        return {
            "event": access.event,
            "access": access,
            "screen": self.screen,
            "documents": documents,
            "has_changes": any(d["not_saved"] or d["to_delete"] for d in documents),
            "errors": {},
            "notice": "",
            "values": {},
            "confirming": None,
            "focus_row": None,
            "banner": None,
            "kinds": forms.KINDS,
            "max_size": forms.megabytes(settings.upload_max_bytes),
        }

    def _back_to_screen(
        self, request: Request[Any, Any, Any], access: EventAccess, message: str
    ) -> Response[Any]:
        """Without JavaScript: back to the screen, which says what happened in a banner
        (htmx requests get the same words in the list's notice instead)."""
        url = self._screen_url(request, access)
        return redirect(request, with_banner(request, url, message) if message else url)

    def _back_to_profile(
        self, request: Request[Any, Any, Any], access: EventAccess, message: str, **params: str
    ) -> Response[Any]:
        profile = request.app.route_reverse("events.profile", event_id=access.event.id)
        return redirect(request, with_banner(request, profile, message, **params))

    @get("/", opt={"action": ""})
    async def manage(
        self, request: Request[Any, Any, Any], access: EventAccess, row: int | None = None
    ) -> Response[Any]:
        self._require_change(access)
        done = banner(request)  # after a plain (no JavaScript) upload or delete
        if row is None and done is None:  # as anyone opens it: kept until the event changes
            return await cached_page(
                request,
                access,
                TEMPLATE,
                lambda: self._list_context(request, access),
                block=BLOCK,
            )
        return await self._render_list(request, access, focus_row=row, done=done)

    @post(
        "/",
        opt={"action": "upload", "csrf_in_stream": True},
        request_max_body_size=None,  # our own limits apply while the body streams in
    )
    async def upload(self, request: Request[Any, Any, Any], access: EventAccess) -> Response[Any]:
        self._require_change(access)
        settings = request.app.state.settings
        limits = service.Limits.of(settings)
        scanner = Clamd.from_setting(settings.clamd)
        batch = service.Upload(access, self.screen.side, request.app.state.files, limits, scanner)
        max_body = limits.quota_bytes + limits.file_bytes + OVERHEAD_BYTES
        form = await read_upload(request, max_body=max_body, on_file=batch.receive)
        try:
            batch.finish()
        except Refused as refusal:
            return await self._render_list(
                request,
                access,
                errors=refusal.as_errors(forms.FILE_FIELD),
                notice=_uploaded_notice(batch.staged),
                values={forms.KIND_FIELD: form.fields.get(forms.KIND_FIELD, "")},
            )
        if wants_fragment(request):
            return await self._render_list(request, access, notice=_uploaded_notice(batch.staged))
        return self._back_to_screen(request, access, _uploaded_notice(batch.staged))

    @get("/{document_id:int}/delete", opt={"action": "confirm_delete"})
    async def confirm_delete(
        self, request: Request[Any, Any, Any], access: EventAccess, document_id: int
    ) -> Response[Any]:
        document = await self._changeable(access, document_id)
        refusal = versions.delete_refusal(document)  # a published report: not offered
        if refusal is not None:
            errors = refusal.as_errors(forms.KIND_FIELD)
            return await self._render_list(request, access, errors=errors)
        if wants_fragment(request):
            return await self._render_list(request, access, confirming=document.id)
        return render(
            request,
            "documents/delete.html",
            {
                "event": access.event,
                "screen": self.screen,
                "document": document,
                "kinds": forms.KINDS,
            },
        )

    @post("/{document_id:int}/delete", opt={"action": "delete"})
    async def delete(
        self, request: Request[Any, Any, Any], access: EventAccess, document_id: int
    ) -> Response[Any]:
        document = await self._changeable(access, document_id)
        store = request.app.state.files
        try:
            result = await service.stage_delete(access, self.screen.side, document, store)
        except Refused as refusal:  # a published report: nothing written
            errors = refusal.as_errors(forms.KIND_FIELD)
            return await self._render_list(request, access, errors=errors)
        if wants_fragment(request):
            return await self._render_list(request, access, notice=result.message)
        # A success banner only for what was done (the list shows what someone else did).
        return self._back_to_screen(request, access, result.message if result.ok else "")

    @post("/save", opt={"action": "save"})
    async def save(self, request: Request[Any, Any, Any], access: EventAccess) -> Response[Any]:
        self._require_change(access)
        result = await service.save(access, self.screen.side, request.app.state.files)
        if result.receipt_id is None:
            return self._back_to_profile(request, access, "There were no changes to save")
        return self._back_to_profile(
            request,
            access,
            with_reference("Your changes to the documents have been saved", result.reference),
            receipt=str(result.receipt_id),
        )

    @post("/cancel", opt={"action": "cancel"})
    async def cancel(self, request: Request[Any, Any, Any], access: EventAccess) -> Response[Any]:
        self._require_change(access)
        dropped = await service.cancel(access, self.screen.side, request.app.state.files)
        if dropped:
            return self._back_to_profile(
                request, access, "Your changes to the documents have been cancelled"
            )
        return self._back_to_profile(request, access, "There were no changes to cancel")


class ProviderDocuments(DocumentsScreen):
    path = "/documents"
    screen = PROVIDER


class OfstedDocuments(DocumentsScreen):
    path = "/ofsted-documents"
    screen = OFSTED


router = event_router("", [download, ProviderDocuments, OfstedDocuments])
