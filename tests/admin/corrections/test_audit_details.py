"""The audit log's details in words: a formatter per action, a fallback for the rest."""

from __future__ import annotations

import pytest

from portal.admin.audit_details import FORMATTERS, readable


@pytest.mark.parametrize(
    ("action", "detail", "shown"),
    [
        (
            "documents saved",
            "side=ofsted;uploaded=6;deleted=",
            "Ofsted documents: 6 uploaded, none deleted",
        ),
        (
            "documents saved",
            "side=provider;uploaded=0;deleted=2",
            "Provider documents: none uploaded, 2 deleted",
        ),
        (
            "document saved",
            "ofsted document 12 'Letter to parents.pdf' (4608 bytes, sha256 ab12, kind letter)",
            "Ofsted document ‘Letter to parents.pdf’ (Letter, 4.5 KB)",
        ),
        (
            "document uploaded (not saved)",
            "provider document 3 'plan.docx' (45 bytes, sha256 ff, application/msword, kind other)",
            "Provider document ‘plan.docx’ (Other, 45 bytes)",
        ),
        ("document deleted", "provider document 3 'plan.docx'", "Provider document ‘plan.docx’"),
        (
            "document upload refused",
            "ofsted document 'x.exe': not a file type the portal accepts",
            "Ofsted document ‘x.exe’: not a file type the portal accepts",
        ),
        (
            "document changes cancelled",
            "ofsted: dropped uploads 3 'a.pdf', 4 'b, c.pdf'; kept 5 'd.pdf'",
            "Ofsted documents: uploads dropped ‘a.pdf’, ‘b, c.pdf’; deletions undone ‘d.pdf’",
        ),
        (
            "event created",
            "INS-1 (visit) 2026-12-12 to 2026-12-12",
            "INS-1: Visit, 12 December 2026",
        ),
        (
            "account created",
            "jane.smith (provider); invitation sent",
            "jane.smith (provider): invitation emails sent",
        ),
        ("concern raised", "concern 5, a follow-up to 3", "Concern 5, a follow-up to concern 3"),
        ("evidence confirmation answered", "request 2: confirmed", "Request 2: confirmed"),
        ("sign-in failed", "wrong password 3", "Wrong password (3 in a row)"),
    ],
)
def test_each_action_reads_as_words(action: str, detail: str, shown: str) -> None:
    assert action in FORMATTERS
    assert readable(action, detail) == shown


@pytest.mark.parametrize(
    ("action", "detail", "shown"),
    [
        # No formatter for the action: key=value pairs still read as words.
        ("survey export", "rows=12;format=csv;filter=", "Rows: 12, format: csv, filter: none"),
        (
            "upload summary",
            "side=ofsted;uploaded=6;deleted=",
            "Ofsted documents: 6 uploaded, none deleted",
        ),
        # A detail its formatter does not know, or free text: shown as stored.
        ("document saved", "something else entirely", "something else entirely"),
        (
            "account changed",
            "jane: email address a@x.org → b@x.org",
            "jane: email address a@x.org → b@x.org",
        ),
        ("signed in", "", ""),
        ("signed in", None, ""),
    ],
)
def test_the_fallback_for_other_details(action: str, detail: str | None, shown: str) -> None:
    assert readable(action, detail) == shown
