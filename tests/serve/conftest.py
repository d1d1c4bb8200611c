"""Fixtures for the web tests: a real store built by the real pipeline from articles written here
(two events, a near-duplicate, an off-topic item and hostile payloads), plus story extras."""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storyline.config import Settings
from storyline.pipeline import run
from storyline.store import Store
from storyline.store.queries import write_story_extras

pytest.importorskip("fastapi", reason="the web extra is not installed")

HOSTILE_TITLE = '<script>alert("title")</script> Riverton bridge closure extended'
HOSTILE_TEXT = (
    'The Riverton bridge will stay closed "><img src=x onerror=alert(1)> for repairs until May, '
    "the city engineer said, after inspectors found corroded cables on the Riverton bridge. "
    "<svg onload=alert(2)> Commuters face long detours."
)
HOSTILE_URL = "javascript:alert(document.cookie)"
HOSTILE_SOURCE = "<b onmouseover=alert(3)>Evil Wire</b>"


def _articles() -> list[dict[str, Any]]:
    bridge = [
        ("br-1", "2025-05-01T08:00:00Z", "Riverton Post", "https://post.example/bridge-1",
         "Riverton bridge closed after inspectors find corroded cables",
         "The Riverton bridge was closed on Thursday after inspectors found corroded cables "
         "under the main span. City engineer Dana Moss said the bridge would stay shut for at "
         "least two weeks. About 40,000 vehicles cross the Riverton bridge every day."),
        ("br-2", "2025-05-01T11:30:00Z", "Valley Herald", "https://herald.example/b2",
         "Commuters stuck as Riverton bridge shuts for repairs",
         "Commuters faced long detours on Thursday after the Riverton bridge shut for urgent "
         "repairs. City engineer Dana Moss said corroded cables were found during a routine "
         "inspection. Buses will use the ring road while the Riverton bridge is closed."),
        ("br-3", "2025-05-02T09:00:00Z", "State Radio", "https://radio.example/news/3",
         "Riverton bridge repairs could take a month, engineer says",
         "Repairs to the corroded cables of the Riverton bridge could take a month, city "
         "engineer Dana Moss said on Friday. The bridge carries about 45,000 vehicles a day. "
         "The mayor, Leo Brandt, promised extra buses while the Riverton bridge is closed."),
        ("br-3-copy", "2025-05-02T09:20:00Z", "State Radio Mirror", "https://mirror.example/3",
         "Riverton bridge repairs could take a month, engineer says",
         "Repairs to the corroded cables of the Riverton bridge could take a month, city "
         "engineer Dana Moss said on Friday. The bridge carries about 45,000 vehicles a day. "
         "The mayor, Leo Brandt, promised extra buses while the Riverton bridge is closed."),
        ("br-evil", "2025-05-02T12:00:00Z", HOSTILE_SOURCE, HOSTILE_URL,
         HOSTILE_TITLE, HOSTILE_TEXT),
    ]
    library = [
        ("lib-1", "2025-05-03T07:00:00Z", "Valley Herald", "https://herald.example/lib1",
         "Fire destroys Lakeside public library",
         "A fire destroyed the Lakeside public library overnight, the fire brigade said. "
         "Nobody was hurt in the library fire. Firefighters fought the blaze at the Lakeside "
         "library for six hours."),
        ("lib-2", "2025-05-03T10:00:00Z", "Lakeside Courier", "https://courier.example/fire",
         "Lakeside library fire: thousands of books lost",
         "Thousands of books were lost when fire swept through the Lakeside public library "
         "overnight. The fire brigade said the library fire started in the roof. Nobody was "
         "hurt, the Lakeside fire brigade said."),
        ("lib-3", "2025-05-03T15:00:00Z", "State Radio", "ftp://radio.example/lib3",
         "Lakeside library fire started in roof, brigade says",
         "The fire that destroyed the Lakeside public library started in the roof, the fire "
         "brigade said on Saturday. Firefighters spent six hours at the Lakeside library."),
    ]
    salad = [
        ("salad", "2025-05-02T13:00:00Z", "Lifestyle Weekly", "https://life.example/salads",
         "Ten spring salads to try this weekend",
         "Fresh herbs, citrus and crunchy seeds make these salads quick to prepare."),
    ]
    rows = [
        {"id": i, "time": t, "source": s, "url": u, "title": ti, "text": tx}
        for i, t, s, u, ti, tx in [*bridge, *library, *salad]
    ]
    return rows


@pytest.fixture(scope="session")
def hostile() -> dict[str, str]:
    return {"title": HOSTILE_TITLE, "text": HOSTILE_TEXT, "url": HOSTILE_URL,
            "source": HOSTILE_SOURCE}


@pytest.fixture(scope="session")
def articles() -> list[dict[str, Any]]:
    return _articles()


@pytest.fixture(scope="session")
def built_db(tmp_path_factory: pytest.TempPathFactory, fast_settings: Settings,
             articles: list[dict[str, Any]]) -> Path:
    """A store built once per session by the real pipeline, with extras on the bridge story."""
    root = tmp_path_factory.mktemp("web")
    src = root / "news.jsonl"
    src.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
    db = root / "built.db"
    with Store(db) as store:
        run([src], store, fast_settings)
        bridge, library, salad = (store.story_of(i) for i in ("br-1", "lib-1", "salad"))
        assert bridge and library and salad and len({bridge, library, salad}) == 3
        # Every section of the story page must be populated: stand in for the off-topic filter
        # (the salad item set aside in the bridge story) and the storyline linker (the library
        # fire as a sibling event); the real stages are tested in their own packages.
        with store.transaction():
            store.db.execute("DELETE FROM stories WHERE id = ?", (salad,))
            store.db.execute("UPDATE articles SET story_id = ?, off_topic = 1 WHERE id = 'salad'",
                             (bridge,))
            store.update_storylines({library: store.story(bridge).storyline_id})  # type: ignore[union-attr]
            write_story_extras(
                store.db, bridge,
                timeline=[
                    {"date": "2025-05-01", "text": "Bridge closed after inspection.",
                     "articles": ["br-1", "br-2"]},
                    {"date": "2025-05-02", "text": '<script>alert("tl")</script> Repairs planned',
                     "articles": ["br-3"]},
                ],
                entities=[
                    {"name": "Dana Moss", "label": "PERSON", "mentions": 3},
                    {"name": "Riverton", "label": "GPE", "mentions": 5},
                    {"name": "<img src=x onerror=alert(4)>", "label": "ORG", "mentions": 1},
                ],
                disagreements=[
                    {"topic": "vehicles per day", "kind": "amount",
                     "claims": [{"text": "About 40,000 vehicles cross the Riverton bridge.",
                                 "value": "40,000", "articles": ["br-1"],
                                 "sources": ["Riverton Post"]},
                                {"text": "The bridge carries about 45,000 vehicles a day.",
                                 "value": "45,000", "articles": ["br-3"],
                                 "sources": ["State Radio"]}]},
                ],
            )
    return db


@pytest.fixture
def db(built_db: Path, tmp_path: Path) -> Path:
    """A private copy of the built store (tests may write to it)."""
    path = tmp_path / "store.db"
    shutil.copy(built_db, path)
    return path


@pytest.fixture
def client(built_db: Path) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from storyline.serve import create_app

    with TestClient(create_app(built_db)) as c:
        yield c


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(built_db: Path) -> Iterator[str]:
    """A real uvicorn server on a free loopback port, in a thread."""
    import uvicorn

    from storyline.serve import create_app

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(
        create_app(built_db), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
