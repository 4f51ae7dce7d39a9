"""Every accuracy test builds the app: opening and completing a check queue mail, whose
links need the app's route names and public address (portal.links)."""

from __future__ import annotations

import pytest
from litestar import Litestar


@pytest.fixture(autouse=True)
def _links(app: Litestar) -> None:
    """The app is built (its `create_app` installs links and notify)."""
