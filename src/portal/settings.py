"""One Settings object, read from PORTAL_* environment variables."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path

LOG_FORMATS = ("text", "json")


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


DEFAULT_DB_POOL_SIZE = max(2, os.cpu_count() or 2)  # measured: see db/engine.py POOL_SIZE


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("var")
    database_url: str = ""  # empty: SQLite file in data_dir
    redis_url: str = ""
    # Every Redis key the portal writes starts with this: two deployments (or test runs)
    # can share one Redis without meeting.
    redis_prefix: str = "portal:"
    smtp_url: str = ""
    secret_key: str = field(default_factory=lambda: secrets.token_hex(32))
    service_name: str = "Provider Portal"
    mail_sender: str = "Provider Portal <no-reply@provider-portal.invalid>"
    support_contact: str = (
        "your inspection support administrator at enquiries@ofsted.gov.uk or 0300 123 1231"
    )
    base_url: str = "http://127.0.0.1:8000"
    session_hours: int = 12  # absolute: signed out this long after signing in, however busy
    session_idle_seconds: int = 30 * 60  # signed out after this long without a request
    session_warning_seconds: int = 120  # with JavaScript: the "you will be signed out" warning
    upload_max_bytes: int = 100 * 1024 * 1024
    event_max_files: int = 100
    event_quota_bytes: int = 1024 * 1024 * 1024
    storage_url: str = ""  # empty: files in data_dir/files; s3://bucket/prefix: S3-compatible
    s3_endpoint_url: str = ""  # empty: AWS itself
    s3_region: str = "us-east-1"
    storage_grace_seconds: int = 7200  # leftovers older than this are swept; an upload gets half
    sweep_seconds: int = 600  # how often the storage sweep runs
    reminder_seconds: int = 900  # how often the accuracy-check reminders are looked for
    # ClamAV's clamd ("/run/clamav/clamd.ctl" or "host:3310"): every upload is scanned as it
    # arrives and refused if infected, or if clamd does not answer. Empty: no scan.
    clamd: str = ""
    lockout_attempts: int = 5
    lockout_minutes: int = 15
    trusted_proxies: str = ""  # addresses/CIDRs whose X-Forwarded-* headers are believed
    metrics_allow: str = "127.0.0.0/8, ::1"  # addresses/CIDRs that may read /metrics
    log_format: str = "text"  # or "json": one JSON object a line, for a log platform
    shutdown_seconds: int = 30  # SIGTERM: how long requests in flight may take to finish
    # PostgreSQL connections per worker: about the database's cores over the workers.
    db_pool_size: int = DEFAULT_DB_POOL_SIZE
    # PostgreSQL that does not answer: give up connecting after this many seconds, and cancel
    # a statement running longer (0: no limit). The user gets the "unavailable" page.
    db_connect_timeout: int = 5
    db_statement_timeout: int = 30
    # A request body (an upload above all) that stops arriving for this long is abandoned.
    upload_idle_seconds: int = 60
    mail_worker: bool = True  # deliver queued mail in the background (tests call it directly)
    templates_dir: Path = Path(__file__).resolve().parents[2] / "templates"
    static_dir: Path = Path(__file__).resolve().parents[2] / "static"

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "portal.sqlite3"

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.sqlite_path}"

    @property
    def secure_cookies(self) -> bool:
        """Served over https (PORTAL_BASE_URL): Secure, __Host- cookies and HSTS."""
        return self.base_url.lower().startswith("https://")

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        env = os.environ
        values: dict[str, object] = {
            "data_dir": Path(env.get("PORTAL_DATA_DIR", "var")),
            "database_url": env.get("PORTAL_DATABASE_URL", ""),
            "redis_url": env.get("PORTAL_REDIS_URL", ""),
            "redis_prefix": env.get("PORTAL_REDIS_PREFIX") or "portal:",
            "smtp_url": env.get("PORTAL_SMTP_URL", ""),
            "base_url": env.get("PORTAL_BASE_URL", "http://127.0.0.1:8000"),
            "upload_max_bytes": _int("PORTAL_UPLOAD_MAX_BYTES", 100 * 1024 * 1024),
            "event_max_files": _int("PORTAL_EVENT_MAX_FILES", 100),
            "event_quota_bytes": _int("PORTAL_EVENT_QUOTA_BYTES", 1024 * 1024 * 1024),
            "storage_url": env.get("PORTAL_STORAGE_URL", ""),
            "s3_endpoint_url": env.get("PORTAL_S3_ENDPOINT_URL", ""),
            "s3_region": env.get("PORTAL_S3_REGION") or "us-east-1",
            "storage_grace_seconds": _int("PORTAL_STORAGE_GRACE_SECONDS", 7200),
            "sweep_seconds": _int("PORTAL_SWEEP_SECONDS", 600),
            "reminder_seconds": _int("PORTAL_REMINDER_SECONDS", 900),
            "clamd": env.get("PORTAL_CLAMD", ""),
            "trusted_proxies": env.get("PORTAL_TRUSTED_PROXIES", ""),
            "metrics_allow": env.get("PORTAL_METRICS_ALLOW", "127.0.0.0/8, ::1"),
            "log_format": env.get("PORTAL_LOG_FORMAT", "text"),
            "shutdown_seconds": _int("PORTAL_SHUTDOWN_SECONDS", 30),
            "db_pool_size": _int("PORTAL_DB_POOL_SIZE", DEFAULT_DB_POOL_SIZE),
            "db_connect_timeout": _int("PORTAL_DB_CONNECT_TIMEOUT", 5),
            "db_statement_timeout": _int("PORTAL_DB_STATEMENT_TIMEOUT", 30),
            "upload_idle_seconds": _int("PORTAL_UPLOAD_IDLE_SECONDS", 60),
            "session_hours": _int("PORTAL_SESSION_HOURS", 12),
            "session_idle_seconds": _int("PORTAL_SESSION_IDLE_SECONDS", 30 * 60),
            "session_warning_seconds": _int("PORTAL_SESSION_WARNING_SECONDS", 120),
        }
        if env.get("PORTAL_SECRET_KEY"):
            values["secret_key"] = env["PORTAL_SECRET_KEY"]
        if env.get("PORTAL_SUPPORT_CONTACT"):
            values["support_contact"] = env["PORTAL_SUPPORT_CONTACT"]
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]
