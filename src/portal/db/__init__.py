"""Database: Piccolo tables, migrations and the engine binding.

Piccolo finds its configuration through PICCOLO_CONF; it is set here, before any
table is imported, so `portal` code and the `piccolo` CLI agree.
"""

import os

os.environ.setdefault("PICCOLO_CONF", "portal.db.piccolo_conf")
