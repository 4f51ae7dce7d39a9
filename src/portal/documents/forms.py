"""The upload form's rules: file names made safe to show, and the GOV.UK wording of
every problem with a file (errors are {field_id: message})."""

from __future__ import annotations

import unicodedata

from portal.db.tables import DOCUMENT_KINDS
from portal.documents.filetypes import ALLOWED_DESCRIPTION, EXTENSIONS, NAMES

FILE_FIELD = "file"
KIND_FIELD = "kind"
MAX_NAME_LENGTH = 150
KINDS = DOCUMENT_KINDS
# Characters that change how text around them is shown: bidirectional overrides and
# isolates, zero-width joiners and the like (Unicode category Cf), and every control
# character (Cc). A name like "report\u202efdp.exe" must not show as "reportexe.pdf".
UNSAFE_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"}


def safe_file_name(given: str | None) -> str:
    """The name as the user chose it, made safe to show and to offer for download:
    no folders, no control or direction-changing characters, at most 150 characters
    (the extension kept). The file itself is stored under a random name."""
    name = unicodedata.normalize("NFC", given or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        " " if unicodedata.category(c) in {"Zs"} else c
        for c in name
        if unicodedata.category(c) not in UNSAFE_CATEGORIES
    )
    name = " ".join(name.split()).strip(" .")
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10 and stem:
            name = stem[: MAX_NAME_LENGTH - len(extension) - 2].rstrip(" .") + "…." + extension
        else:
            name = name[: MAX_NAME_LENGTH - 1].rstrip(" .") + "…"
    return name or "document"


def megabytes(size: int) -> str:
    if size >= 1024**3 and size % 1024**3 == 0:
        return f"{size // 1024**3} GB"
    mb = size / 1024**2
    return f"{mb:g} MB" if mb >= 1 else f"{max(size // 1024, 1)} KB"


def subject(file_name: str, several: bool) -> str:
    """'The selected file' for one file; its name when several were sent at once."""
    return f"‘{file_name}’" if several else "The selected file"


def no_file() -> str:
    return "Select a file to upload"


def empty(file_name: str, several: bool) -> str:
    return f"{subject(file_name, several)} is empty"


def too_large(file_name: str, several: bool, limit: int) -> str:
    return f"{subject(file_name, several)} must be smaller than {megabytes(limit)}"


def wrong_type(file_name: str, several: bool) -> str:
    return f"{subject(file_name, several)} must be {ALLOWED_DESCRIPTION}"


def wrong_extension(file_name: str, several: bool, content_type: str) -> str:
    """An allowed kind under another kind's name: which ending its name needs."""
    endings = " or ".join(EXTENSIONS[content_type])
    return (
        f"{subject(file_name, several)} is {NAMES[content_type]}, so its name must end in {endings}"
    )


def macros(file_name: str, several: bool) -> str:
    return (
        f"{subject(file_name, several)} must not contain macros: save it without them, "
        "as a .docx, .xlsx or .pptx file"
    )


def infected(file_name: str, several: bool) -> str:
    # The GOV.UK Design System's wording for a file upload.
    return f"{subject(file_name, several)} contains a virus"


def not_scanned(file_name: str, several: bool) -> str:
    """The scanner did not answer: the file was not kept, and may be sent again later."""
    return f"{subject(file_name, several)} could not be checked for viruses – try again later"


def too_many(limit: int, event_noun: str) -> str:
    return (
        f"You can upload up to {limit} document{'' if limit == 1 else 's'} "
        f"for this {event_noun}. "
        "Delete a document before you upload another"
    )


def over_quota(file_name: str, several: bool, quota: int, event_noun: str) -> str:
    return (
        f"{subject(file_name, several)} cannot be uploaded: the documents for this "
        f"{event_noun} must be {megabytes(quota)} or less in total"
    )


def no_kind() -> str:
    return "Select what kind of document this is"
