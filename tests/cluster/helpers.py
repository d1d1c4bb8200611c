"""Hand-written news items for the cluster tests (no evaluation data)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storyline.config import Settings
from storyline.embed import get_embedder
from storyline.models import Article, Embedded
from storyline.normalize import normalize_one

T0 = datetime(2020, 1, 8, 6, 0, tzinfo=UTC)

QUAKE = [
    "Earthquake of magnitude 7.1 strikes off the coast of Peru. The earthquake hit near Lima.",
    "Peru earthquake: rescuers search rubble in Lima after magnitude 7.1 quake.",
    "Death toll from Peru earthquake rises as rescuers search Lima rubble.",
    "Lima residents sleep outdoors after the Peru earthquake and aftershocks.",
]
ELECTION = [
    "Ruritania votes in presidential election; turnout high in the capital Strelsau.",
    "Ruritania election: opposition leader Rassendyll claims early lead in presidential vote.",
    "Rassendyll wins Ruritania presidential election, electoral commission says.",
    "Ruritania presidential election result: Rassendyll sworn in as president in Strelsau.",
]
FOOTBALL = [
    "Rovers beat United 3-1 in the cup final at Wembley; Smith scores twice.",
    "Cup final: Smith double gives Rovers 3-1 win over United at Wembley.",
    "Rovers fans celebrate cup final win over United after Smith's two goals.",
]


def article(i: int, text: str, hours: float = 0.0, title: str = "") -> Article:
    return Article(id=f"a{i:03d}", title=title, text=text, time=T0 + timedelta(hours=hours))


def embed(articles: list[Article], settings: Settings) -> list[Embedded]:
    embedder = get_embedder(settings.embed)
    docs = [normalize_one(a) for a in articles]
    vectors = embedder.encode([d.lead for d in docs])
    return [Embedded(d, v) for d, v in zip(docs, vectors, strict=True)]


def mixed_stream() -> list[Article]:
    """Three events interleaved in time, one item an hour."""
    texts = [t for group in zip(QUAKE, ELECTION, [*FOOTBALL, ""], strict=True) for t in group]
    return [article(i, t, hours=i) for i, t in enumerate(t for t in texts if t)]


def gold(articles: list[Article]) -> dict[str, int]:
    label = {t: k for k, group in enumerate((QUAKE, ELECTION, FOOTBALL)) for t in group}
    return {a.id: label[a.text] for a in articles}
