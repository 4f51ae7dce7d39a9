"""The core tables: who uses the portal, what is inspected, and the documents."""

from __future__ import annotations

from piccolo.columns import (
    BigInt,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

# The vocabularies of the columns below: stored value -> the words users see.
EVENT_TYPES = {"inspection": "Inspection", "visit": "Visit"}
TEAM_ROLES = {"lead": "Lead inspector", "team": "Team inspector"}
DOCUMENT_KINDS = {
    "draft_report": "Draft report",
    "final_report": "Final report",
    "letter": "Letter",
    "other": "Other",
}
ROLES = {"provider": "Provider", "inspector": "Inspector", "admin": "Administrator"}


class Provider(Table, tablename="provider"):
    name = Varchar(length=200)
    urn = Varchar(length=20, unique=True)
    address = Text(default="")


class User(Table, tablename="portal_user"):
    username = Varchar(length=100, unique=True)
    email = Varchar(length=254)
    display_name = Varchar(length=200)
    role = Varchar(length=20)  # ROLES
    provider = ForeignKey(references=Provider, null=True)
    password_hash = Text(default="")
    failed_attempts = Integer(default=0)
    locked_until = Timestamptz(null=True, default=None)
    must_change_password = Boolean(default=False)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class Event(Table, tablename="event"):
    event_ref = Varchar(length=30, unique=True)  # the event ID shown to users
    event_type = Varchar(length=20)  # EVENT_TYPES
    start_date = Date()
    end_date = Date()
    provider = ForeignKey(references=Provider, index=True)
    status = Varchar(length=20, default="open")  # open | closed
    # Raised by database triggers whenever anything an event's pages show changes (see
    # migration "event version"): the key of the pages cached in portal.web.page_cache.
    version = Integer(default=0)


class TeamMember(Table, tablename="team_member"):
    event = ForeignKey(references=Event, index=True)
    user = ForeignKey(references=User, index=True)
    team_role = Varchar(length=20)  # TEAM_ROLES
    pen_portrait = Text(default="")


class Document(Table, tablename="document"):
    event = ForeignKey(references=Event, index=True)
    side = Varchar(length=10)  # ofsted | provider
    kind = Varchar(length=20, default="other")  # DOCUMENT_KINDS
    file_name = Varchar(length=255)  # as given, for display and download only
    stored_name = Varchar(length=64, unique=True)
    size = BigInt()
    sha256 = Varchar(length=64)
    content_type = Varchar(length=120)
    uploaded_by = ForeignKey(references=User)
    uploaded_at = Timestamptz(default=TimestamptzNow())
    # staged|live|pending_delete|deleted|superseded (a published report's earlier version)
    state = Varchar(length=20, default="staged", index=True)
    staged_by = ForeignKey(references=User, null=True)  # who staged the pending change
    saved_at = Timestamptz(null=True, default=None)
    # A published draft or final report is a record: each Save of one is its next
    # version (1, 2, …) and the one before stays, superseded, never deleted.
    version = Integer(null=True, default=None)
    superseded_at = Timestamptz(null=True, default=None)


class UserSession(Table, tablename="user_session"):
    token_hash = Varchar(length=64, unique=True)
    user = ForeignKey(references=User, index=True)
    csrf_token = Varchar(length=64)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()


class AuditEvent(Table, tablename="audit_event"):
    # Indexed (at, id), (event, at, id), (actor, at, id) by a migration: the log's pages
    # are read latest first straight off them (portal.admin.service).
    at = Timestamptz(default=TimestamptzNow())
    actor = ForeignKey(references=User, null=True)
    action = Varchar(length=60)
    event = ForeignKey(references=Event, null=True)
    detail = Text(default="")


class OutgoingMail(Table, tablename="outgoing_mail"):
    """Mail waits here until the worker has sent it (or written it to the outbox):
    a request never waits for a mail server, and a failed send is kept, not lost."""

    to_address = Varchar(length=254)
    subject = Varchar(length=300)
    text_body = Text()
    html_body = Text(default="")
    status = Varchar(length=10, default="queued", index=True)  # queued | sent | failed
    attempts = Integer(default=0)
    last_error = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    # Due from this time; while a sender holds the message, the end of its claim.
    next_attempt_at = Timestamptz(default=TimestamptzNow(), index=True)
    sent_at = Timestamptz(null=True, default=None)
    claimed_by = Varchar(length=100, default="")  # the sending pass's token (see portal.mail)


class JobLease(Table, tablename="job_lease"):
    """Who runs a timed job now, on SQLite (portal.locks): a lease that lapses at
    `expires_at`, so a holder that died does not block the job for ever."""

    name = Varchar(length=100, unique=True)
    holder = Varchar(length=100)
    expires_at = Timestamptz()
