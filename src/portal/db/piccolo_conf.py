"""Piccolo configuration. DB is replaced at run time by `portal.db.engine.bind`."""

from piccolo.conf.apps import AppRegistry
from piccolo.engine.sqlite import SQLiteEngine

DB = SQLiteEngine(path="var/portal.sqlite3")

# Each feature owns its tables and migrations; the core tables live in portal.db.
APP_REGISTRY = AppRegistry(
    apps=[
        "portal.db.piccolo_app",
        "portal.auth.piccolo_app",
        "portal.accuracy.piccolo_app",
        "portal.documents.piccolo_app",
        "portal.survey.piccolo_app",
        "portal.conduct.piccolo_app",
        "portal.admin.piccolo_app",
        "portal.receipts.piccolo_app",
    ]
)
