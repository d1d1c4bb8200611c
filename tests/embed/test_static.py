"""StaticEmbedder on a tiny hand-made model: a text's vector is the normalized mean of its tokens'
rows (repeats count each time, unknown tokens are dropped, empty texts stay zero)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from storyline.embed.static import StaticEmbedder

VOCAB = {"[UNK]": 0, "rocket": 1, "attack": 2, "base": 3, "oscars": 4}


@pytest.fixture()
def model(tmp_path: Path) -> Path:
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel
    from tokenizers.pre_tokenizers import Whitespace

    tokenizer = Tokenizer(WordLevel(VOCAB, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = Whitespace()
    tokenizer.save(str(tmp_path / "tokenizer.json"))
    table = np.random.default_rng(0).normal(size=(len(VOCAB), 6)).astype(np.float32)
    np.save(tmp_path / "embeddings.npy", table)
    (tmp_path / "config.json").write_text(json.dumps({"unk_token_id": 0}), encoding="utf-8")
    return tmp_path


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


def test_vector_is_the_normalized_mean_of_the_token_rows(model: Path) -> None:
    table = np.load(model / "embeddings.npy")
    embedder = StaticEmbedder(model)
    vectors = embedder.encode(["rocket attack rocket", "base zebra", "", "zebra", "oscars"])
    assert vectors.shape == (5, 6)
    assert np.allclose(vectors[0], _unit(2 * table[1] + table[2]), atol=1e-6)
    assert np.allclose(vectors[1], _unit(table[3]), atol=1e-6)  # the unknown word is dropped
    assert not vectors[2].any() and not vectors[3].any()  # nothing known: a zero vector
    assert np.allclose(vectors[4], _unit(table[4]), atol=1e-6)


def test_a_text_gets_the_same_vector_alone_or_in_a_batch(model: Path) -> None:
    embedder = StaticEmbedder(model)
    batch = embedder.encode(["base", "rocket attack", "oscars base"])
    assert np.array_equal(embedder.encode(["rocket attack"])[0], batch[1])
    assert embedder.encode([]).shape == (0, 6)
