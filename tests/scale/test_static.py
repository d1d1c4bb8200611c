"""The fast static embedder: loading a distilled model folder, encoding, and the actionable error
when nothing has been distilled. The model folder is built here in memory (a five-word
tokenizer and a made-up table), as model2vec's own tests do: offline and instant."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from storyline.embed.static import StaticEmbedder, data_dir, static_model_dir
from storyline.errors import MissingDependency

VOCAB = ["[UNK]", "flood", "river", "bank", "rate", "chess"]


def _model(folder: Path, table: np.ndarray) -> Path:
    from tokenizers import Tokenizer, models, pre_tokenizers

    tok = Tokenizer(models.WordLevel({w: i for i, w in enumerate(VOCAB)}, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    folder.mkdir(parents=True, exist_ok=True)
    tok.save(str(folder / "tokenizer.json"))
    np.save(folder / "embeddings.npy", table)
    (folder / "config.json").write_text(json.dumps(
        {"dim": table.shape[1], "unk_token_id": 0, "max_length": 3, "median_token_length": 10}))
    return folder


@pytest.fixture
def table() -> np.ndarray:
    rng = np.random.default_rng(7)
    return rng.normal(size=(len(VOCAB), 4)).astype(np.float32)


def test_encode_is_the_unit_mean_of_the_known_tokens(tmp_path: Path, table: np.ndarray) -> None:
    emb = StaticEmbedder(_model(tmp_path / "m", table))
    assert emb.dim == 4
    out = emb.encode(["flood river", "river zebra flood", "", "zebra", "bank rate chess flood",
                      "flood " * 20])
    assert out.shape == (6, 4) and out.dtype == np.float32

    def unit(v: np.ndarray) -> np.ndarray:
        return v / np.linalg.norm(v)

    expected = unit(table[1] + table[2])
    np.testing.assert_allclose(out[0], expected, rtol=1e-5)
    np.testing.assert_allclose(out[1], expected, rtol=1e-5)  # the unknown word is dropped
    assert not out[2].any() and not out[3].any()  # nothing known: a zero row
    # at most max_length (3) tokens: the fourth word is cut
    np.testing.assert_allclose(out[4], unit(table[3] + table[4] + table[5]), rtol=1e-5)
    np.testing.assert_allclose(out[5], unit(table[1]), rtol=1e-5)
    assert emb.encode([]).shape == (0, 4)
    # a repeated token counts each time
    np.testing.assert_allclose(emb.encode(["flood river flood"])[0],
                               unit(2 * table[1] + table[2]), rtol=1e-5)


def test_a_text_gets_the_same_vector_alone_or_in_a_batch(
    tmp_path: Path, table: np.ndarray
) -> None:
    emb = StaticEmbedder(_model(tmp_path / "m", table))
    batch = emb.encode(["bank", "flood river", "chess bank"])
    assert np.array_equal(emb.encode(["flood river"])[0], batch[1])


def test_missing_model_says_how_to_distill_it(tmp_path: Path) -> None:
    with pytest.raises(MissingDependency, match=r"distill-static\.sh"):
        StaticEmbedder(tmp_path / "nothing")


def test_default_location_follows_storyline_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, table: np.ndarray
) -> None:
    monkeypatch.setenv("STORYLINE_DATA", str(tmp_path / "data"))
    assert data_dir() == tmp_path / "data"
    assert static_model_dir() == tmp_path / "data" / "static-minilm"
    with pytest.raises(MissingDependency, match=str(tmp_path / "data")):
        StaticEmbedder()
    _model(static_model_dir(), table)
    assert StaticEmbedder().encode(["chess"]).shape == (1, 4)


def test_works_as_the_executor_embedder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, table: np.ndarray
) -> None:
    from storyline.config import EmbedSettings
    from storyline.embed import get_embedder
    from storyline.scale._stages import embedder_for

    monkeypatch.setenv("STORYLINE_DATA", str(tmp_path))
    _model(static_model_dir(), table)
    get_embedder.cache_clear()  # the per-process model cache
    try:
        vec = embedder_for(EmbedSettings(model="static")).encode(["flood"])
        np.testing.assert_allclose(vec[0], table[1] / np.linalg.norm(table[1]), rtol=1e-5)
    finally:
        get_embedder.cache_clear()
