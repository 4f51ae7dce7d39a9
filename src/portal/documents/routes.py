"""Document routes: download, and the 'Documents Uploaded by Provider' / 'by Ofsted'
screens (upload, staged delete with 'Yes - Delete', Save, Cancel). The two screens
are the same handlers for each side: `/events/{id}/documents` (provider users) and
`/events/{id}/ofsted-documents` (inspectors on the event's team)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from litestar import Request, Router, get, post
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.response import File, Response

from portal.db.tables import Document
from portal.documents import forms, service
from portal.documents.filetypes import TextCheck, describe, judge
from portal.documents.storage import FileStore, TooLarge
from portal.documents.upload import OVERHEAD_BYTES, read_upload
from portal.web.access import EventAccess, provide_event_access
from portal.web.banner import with_banner
from portal.web.downloads import file_response
from portal.web.guards import signed_in
from portal.web.render import redirect, render, wants_fragment

DEPENDENCIES = {"access": Provide(provide_event_access)}
TEMPLATE = "documents/manage.html"
BLOCK = "document_list"


@dataclass(frozen=True)
class Side:
    side: str  # provider | ofsted
    path: str  # the URL segment after /events/{id}/
    title: str  # the screen's name in the quick start guide

    def url(self, event_id: int, rest: str = "") -> str:
        return f"/events/{event_id}/{self.path}{rest}"


PROVIDER = Side("provider", "documents", "Documents Uploaded by Provider")
OFSTED = Side("ofsted", "ofsted-documents", "Documents Uploaded by Ofsted")


@get(
    "/events/{event_id:int}/documents/{document_id:int}/download",
    name="documents.download",
    guards=[signed_in],
    dependencies=DEPENDENCIES,
)
async def download(request: Request[Any, Any, Any], access: EventAccess, document_id: int) -> File:
    document = await service.find_visible(access, document_id)
    if document is None:
        raise NotFoundException()
    store: FileStore = request.app.state.files
    path = store.path(document.stored_name)
    if not path.exists():
        raise NotFoundException()
    return file_response(path, document.file_name, document.content_type)


async def render_list(
    request: Request[Any, Any, Any],
    access: EventAccess,
    side: Side,
    *,
    errors: dict[str, str] | None = None,
    notice: str = "",
    values: dict[str, str] | None = None,
    confirming: int | None = None,
    focus_row: int | None = None,
) -> Response[Any]:
    settings = request.app.state.settings
    documents = await service.documents_for(access, side.side)
    return render(
        request,
        TEMPLATE,
        {
            "event": access.event,
            "access": access,
            "screen": side,
            "base_url": side.url(access.event.id),
            "documents": documents,
            "has_changes": any(d["not_saved"] or d["to_delete"] for d in documents),
            "errors": errors or {},
            "notice": notice,
            "values": values or {},
            "confirming": confirming,
            "focus_row": focus_row,
            "kinds": forms.KINDS,
            "max_size": forms.megabytes(settings.upload_max_bytes),
        },
        block=BLOCK,
    )


async def _changeable(access: EventAccess, side: Side, document_id: int) -> Document:
    access.require(service.may_change(access, side.side))
    document = await service.changeable(access, side.side, document_id)
    if document is None:
        raise NotFoundException()
    return document


@dataclass
class Outcome:
    problem: str  # none | kind | count | large | quota | empty | type
    name: str


def _message(outcome: Outcome, several: bool, settings: Any, event_noun: str) -> str:
    name = outcome.name
    return {
        "none": forms.no_file,
        "kind": forms.no_kind,
        "count": lambda: forms.too_many(settings.event_max_files, event_noun),
        "large": lambda: forms.too_large(name, several, settings.upload_max_bytes),
        "quota": lambda: forms.over_quota(name, several, settings.event_quota_bytes, event_noun),
        "empty": lambda: forms.empty(name, several),
        "type": lambda: forms.wrong_type(name, several),
    }[outcome.problem]()


def side_routes(side: Side) -> list[Any]:
    base = f"/events/{{event_id:int}}/{side.path}"

    @get(base, name=f"documents.{side.side}", guards=[signed_in], dependencies=DEPENDENCIES)
    async def manage(
        request: Request[Any, Any, Any], access: EventAccess, row: int | None = None
    ) -> Response[Any]:
        access.require(service.may_change(access, side.side))
        return await render_list(request, access, side, focus_row=row)

    @post(
        base,
        name=f"documents.{side.side}.upload",
        guards=[signed_in],
        dependencies=DEPENDENCIES,
        opt={"csrf_in_stream": True},
        request_max_body_size=None,  # our own limits apply while the body streams in
    )
    async def upload(request: Request[Any, Any, Any], access: EventAccess) -> Response[Any]:
        access.require(service.may_change(access, side.side))
        settings = request.app.state.settings
        store: FileStore = request.app.state.files
        used = await service.usage(access, side.side)
        outcomes: list[Outcome] = []
        staged: list[Document] = []

        async def on_file(given: str, chunks: Any, fields: dict[str, str]) -> None:
            name = forms.safe_file_name(given)
            if not given:  # a file field left empty: nothing was chosen
                outcomes.append(Outcome("none", name))
                return
            if side.side == "ofsted" and fields.get(forms.KIND_FIELD) not in forms.KINDS:
                outcomes.append(Outcome("kind", name))
                return
            if used.count + len(staged) >= settings.event_max_files:
                outcomes.append(Outcome("count", name))
                return
            remaining = settings.event_quota_bytes - used.total_bytes - sum(d.size for d in staged)
            limit = max(min(settings.upload_max_bytes, remaining), 0)
            text = TextCheck()
            try:
                stored = await store.save(chunks, max_bytes=limit, observe=text.feed)
            except TooLarge:
                problem = "large" if limit == settings.upload_max_bytes else "quota"
                outcomes.append(Outcome(problem, name))
                return
            if stored.size == 0:
                await store.delete(stored.stored_name)
                outcomes.append(Outcome("empty", name))
                return
            path = store.path(stored.stored_name)
            content_type = await asyncio.to_thread(judge, path, stored.head, text.finish(), name)
            if content_type is None:
                await store.delete(stored.stored_name)
                outcomes.append(Outcome("type", name))
                await service.refused_upload(
                    access, side.side, name, f"type not allowed ({describe(stored.head)})"
                )
                return
            try:
                document = await service.stage_upload(
                    access,
                    side.side,
                    stored,
                    file_name=name,
                    content_type=content_type,
                    max_files=settings.event_max_files,
                    quota_bytes=settings.event_quota_bytes,
                    kind=fields.get(forms.KIND_FIELD, "other"),
                )
            except service.OverLimit as over:  # a colleague's upload got in first
                await store.delete(stored.stored_name)
                outcomes.append(Outcome(over.problem, name))
                return
            staged.append(document)

        max_body = settings.event_quota_bytes + settings.upload_max_bytes + OVERHEAD_BYTES
        form = await read_upload(request, max_body=max_body, on_file=on_file)

        several = form.file_parts > 1
        noun = access.event.event_type
        errors: dict[str, str] = {}
        if any(o.problem == "kind" for o in outcomes):
            errors[forms.KIND_FIELD] = forms.no_kind()
        file_problems = [o for o in outcomes if o.problem not in ("kind", "none")]
        if not file_problems and not staged and "kind" not in errors:
            errors[forms.FILE_FIELD] = forms.no_file()
        if file_problems:
            messages: list[str] = []
            for o in file_problems:
                text = _message(o, several, settings, noun)
                if text not in messages:
                    messages.append(text)
                if o.problem != "type":
                    await service.refused_upload(access, side.side, o.name, o.problem)
            errors[forms.FILE_FIELD] = ". ".join(messages)
        values = {forms.KIND_FIELD: form.fields.get(forms.KIND_FIELD, "")}
        if errors:
            notice = _uploaded_notice(staged) if staged else ""
            return await render_list(
                request, access, side, errors=errors, notice=notice, values=values
            )
        if wants_fragment(request):
            return await render_list(request, access, side, notice=_uploaded_notice(staged))
        return redirect(request, side.url(access.event.id))

    @get(
        base + "/{document_id:int}/delete",
        name=f"documents.{side.side}.confirm_delete",
        guards=[signed_in],
        dependencies=DEPENDENCIES,
    )
    async def confirm_delete(
        request: Request[Any, Any, Any], access: EventAccess, document_id: int
    ) -> Response[Any]:
        document = await _changeable(access, side, document_id)
        if wants_fragment(request):
            return await render_list(request, access, side, confirming=document.id)
        return render(
            request,
            "documents/delete.html",
            {
                "event": access.event,
                "screen": side,
                "base_url": side.url(access.event.id),
                "document": document,
                "kinds": forms.KINDS,
            },
        )

    @post(
        base + "/{document_id:int}/delete",
        name=f"documents.{side.side}.delete",
        guards=[signed_in],
        dependencies=DEPENDENCIES,
    )
    async def delete(
        request: Request[Any, Any, Any], access: EventAccess, document_id: int
    ) -> Response[Any]:
        document = await _changeable(access, side, document_id)
        result = await service.stage_delete(access, side.side, document, request.app.state.files)
        if wants_fragment(request):
            return await render_list(request, access, side, notice=result.message)
        return redirect(request, side.url(access.event.id))

    @post(
        base + "/save",
        name=f"documents.{side.side}.save",
        guards=[signed_in],
        dependencies=DEPENDENCIES,
    )
    async def save(request: Request[Any, Any, Any], access: EventAccess) -> Response[Any]:
        access.require(service.may_change(access, side.side))
        result = await service.save(access, side.side, request.app.state.files)
        profile = f"/events/{access.event.id}"
        if result.receipt_id is None:
            url = with_banner(request, profile, "There were no changes to save")
        else:
            url = with_banner(
                request,
                profile,
                "Your changes to the documents have been saved",
                receipt=str(result.receipt_id),
            )
        return redirect(request, url)

    @post(
        base + "/cancel",
        name=f"documents.{side.side}.cancel",
        guards=[signed_in],
        dependencies=DEPENDENCIES,
    )
    async def cancel(request: Request[Any, Any, Any], access: EventAccess) -> Response[Any]:
        access.require(service.may_change(access, side.side))
        dropped = await service.cancel(access, side.side, request.app.state.files)
        message = (
            "Your changes to the documents have been cancelled"
            if dropped
            else "There were no changes to cancel"
        )
        return redirect(request, with_banner(request, f"/events/{access.event.id}", message))

    return [manage, upload, confirm_delete, delete, save, cancel]


def _uploaded_notice(staged: list[Document]) -> str:
    if not staged:
        return ""
    if len(staged) == 1:
        what = f"‘{staged[0].file_name}’ has been uploaded"
    else:
        what = f"{len(staged)} files have been uploaded"
    return f"Upload complete. {what} but not saved yet. Select Save to keep your changes."


route_handlers = [download, *side_routes(PROVIDER), *side_routes(OFSTED)]

# Until this feature declares its own Router (issue 12): its handlers, as they are.
router = Router(path="/", route_handlers=route_handlers)
