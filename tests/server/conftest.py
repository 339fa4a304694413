"""Fixtures: one live server for the module's tests, and a presenter page on a fresh small session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from liveserver import LiveServer, Page

from server import Settings


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("storage") / "sessions.db"  # sessions are kept, as `backprop-lab` keeps them
    with LiveServer(Settings(grace_seconds=600, db=str(db))) as server:
        yield server


@pytest.fixture
def presenter(live: LiveServer) -> Iterator[Page]:
    session, token = live.create(sizes=[3, 2], n_points=40, batch_size=4, seed=3)
    page = live.connect(session, token, client="presenter")
    page.session, page.token = session, token  # type: ignore[attr-defined]
    yield page
    page.close()
