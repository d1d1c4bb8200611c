"""The clustering evaluation on a hand-written cluster file (what `storyline eval cluster PATH`
runs) and the off-topic injection protocol."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from storyline.config import Settings
from storyline.embed import get_embedder
from storyline.eval.clustering import (
    evaluate,
    evaluate_off_topic,
    format_table,
    inject_intruders,
    load_dataset,
)

from .helpers import ELECTION, FOOTBALL, QUAKE, article, embed


def test_evaluate_a_cluster_file(tmp_path: Path, fast_settings: Settings) -> None:
    path = tmp_path / "clusters.jsonl"
    lines = []
    for cid, texts in (("quake", QUAKE), ("vote", ELECTION)):
        arts = [{"id": f"{cid}{i}", "text": t, "time": f"2020-01-0{i + 1}T10:00:00Z"}
                for i, t in enumerate(texts)]
        lines.append(json.dumps({"id": cid, "articles": arts}))
    path.write_text("\n".join([lines[0], "{not json", lines[1]]) + "\n", encoding="utf-8")
    articles = load_dataset(str(path))
    assert {a.cluster for a in articles} == {"quake", "vote"} and len(articles) == 8
    # hashed-TF cosines of one-line items run lower than MiniLM's (see test_online.fast)
    cluster = replace(fast_settings.cluster, title_threshold=0.15, title_time_penalty=0.0)
    result = evaluate(articles, get_embedder(fast_settings.embed), cluster)
    assert result["f1"] == 1.0 and result["stories"] == 2 and result["gold"] == 2
    assert result["articles"] == 8 and result["articles_per_s"] > 0
    table = format_table({"hand-written": result})
    assert "| hand-written | 1.000 | 1.000 | 1.000 |" in table


def test_inject_intruders_is_seeded_and_sized() -> None:
    groups = [list(range(10)), list(range(10, 20)), list(range(20, 30))]
    first = inject_intruders(groups, 0.2, seed=1)
    assert first == inject_intruders(groups, 0.2, seed=1)
    for (members, bad), group in zip(first, groups, strict=True):
        assert len(members) == 12 and len(bad) == 2
        assert all(members[i] not in group for i in bad)
        assert set(group) <= set(members)


def test_evaluate_off_topic_on_hand_written_groups(fast_settings: Settings) -> None:
    groups = [
        embed([article(10 * k + i, t) for i, t in enumerate(texts)], fast_settings)
        for k, texts in enumerate((QUAKE, ELECTION, FOOTBALL))
    ]
    res = evaluate_off_topic(groups, fast_settings.cluster, (0.25,))
    assert res["intruders"] == 3
    assert res["recall"] == 1.0 and res["precision"] == 1.0
