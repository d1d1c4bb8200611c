from pathlib import Path

import pytest

from storyline.config import Settings


def test_defaults_and_partial_override():
    s = Settings().with_overrides({"cluster": {"threshold": 0.7}, "summary": {"words": 40}})
    assert s.cluster.threshold == 0.7
    assert s.summary.words == 40
    assert s.cluster.window_days == Settings().cluster.window_days  # untouched
    assert Settings().summary.words == 100


def test_unknown_setting_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown setting 'treshold'"):
        Settings().with_overrides({"cluster": {"treshold": 0.7}})
    with pytest.raises(ValueError, match="is a section"):
        Settings().with_overrides({"cluster": 3})


def test_from_toml(tmp_path: Path):
    path = tmp_path / "s.toml"
    path.write_text('[embed]\nmodel = "tfidf"\n[ingest]\ncsv_title = ["headline"]\n')
    s = Settings.from_toml(path)
    assert s.embed.model == "tfidf"
    assert s.ingest.csv_title == ("headline",)


def test_fast_mode_preset():
    fast = Settings().fast()
    assert (fast.embed.model, fast.enrich.entities) == ("static", "heuristic")
    assert fast.cluster == Settings().cluster  # only speed settings change
