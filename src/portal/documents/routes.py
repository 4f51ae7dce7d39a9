"""Document routes: download (upload, staging and delete live beside it)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.response import File

from portal.documents import service
from portal.documents.download import file_response
from portal.documents.storage import FileStore
from portal.events.access import EventAccess, provide_event_access
from portal.web.guards import signed_in


@get(
    "/events/{event_id:int}/documents/{document_id:int}/download",
    name="documents.download",
    guards=[signed_in],
    dependencies={"access": Provide(provide_event_access)},
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


route_handlers = [download]
