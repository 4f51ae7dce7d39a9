"""Piccolo configuration. DB is replaced at run time by `portal.db.engine.bind`."""

from piccolo.conf.apps import AppRegistry
from piccolo.engine.sqlite import SQLiteEngine

DB = SQLiteEngine(path="var/portal.sqlite3")

APP_REGISTRY = AppRegistry(
    apps=[
        "portal.db.piccolo_app",
    ]
)
