"""Dedupe stage: fold exact copies (same content hash) and near-copies (MinHash over word shingles,
banded LSH, estimated Jaccard above a threshold) into the first article seen, keeping the link."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import lru_cache

import numpy as np

from storyline.config import DedupeSettings
from storyline.models import Document
from storyline.text import words

__all__ = ["Deduper", "fold_batch", "shingle_signature"]

_PRIME = np.uint64((1 << 61) - 1)
_MAX32 = np.uint64(0xFFFFFFFF)
_SHINGLE = 3
#: documents with fewer shingles than this are only folded when identical (headlines are short:
#: two titles sharing most words may still report different events)
_MIN_SHINGLES = 8


@lru_cache(maxsize=4)
def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)  # fixed: signatures must stay comparable across runs
    a = rng.integers(1, 1 << 31, size=num_perm, dtype=np.uint64)
    b = rng.integers(0, 1 << 31, size=num_perm, dtype=np.uint64)
    a.flags.writeable = b.flags.writeable = False  # shared by every call
    return a, b


def shingle_signature(text: str, num_perm: int = 64) -> np.ndarray | None:
    """MinHash signature (uint32) of the word 3-shingles of ``text``; None when it is too short."""
    tokens = [t.encode() for t in words(text)]
    shingles = {b" ".join(t) for t in zip(*(tokens[i:] for i in range(_SHINGLE)), strict=False)}
    if len(shingles) < _MIN_SHINGLES:
        return None
    blake2b = hashlib.blake2b
    digests = b"".join([blake2b(s, digest_size=4).digest() for s in shingles])
    hashes = np.frombuffer(digests, dtype="<u4").astype(np.uint64)
    a, b = _permutations(num_perm)
    values = (hashes[:, None] * a[None, :] + b[None, :]) % _PRIME
    return (values.min(axis=0) & _MAX32).astype(np.uint32)


class Deduper:
    """Streaming duplicate detector. ``check(doc)`` returns the id of the earlier document ``doc``
    copies (or None) and remembers ``doc`` otherwise. Seed it with what a store already holds."""

    def __init__(self, settings: DedupeSettings = DedupeSettings()) -> None:
        self.settings = settings
        self.rows = max(1, settings.num_perm // 16)
        self.by_hash: dict[str, str] = {}
        self.buckets: dict[tuple[int, bytes], list[str]] = {}
        self.signatures: dict[str, np.ndarray] = {}

    def add(self, doc_id: str, content_hash: str, signature: np.ndarray | None) -> None:
        self.by_hash.setdefault(content_hash, doc_id)
        if signature is None:
            return
        self.signatures[doc_id] = signature
        for band, key in self._bands(signature):
            self.buckets.setdefault((band, key), []).append(doc_id)

    def signature(self, doc: Document) -> np.ndarray | None:
        return shingle_signature(f"{doc.title}\n{doc.body}", self.settings.num_perm)

    def check(self, doc: Document) -> tuple[str | None, np.ndarray | None]:
        """(id of the original this document copies, or None; the document's signature)."""
        return self.check_signed(doc, self.signature(doc))

    def check_signed(
        self, doc: Document, signature: np.ndarray | None
    ) -> tuple[str | None, np.ndarray | None]:
        """``check`` with the document's ``signature`` already computed (``self.signature(doc)``,
        e.g. in another process)."""
        original = self.by_hash.get(doc.content_hash)
        if original is None and signature is not None:
            original = self._near(signature)
        if original is None:
            self.add(doc.id, doc.content_hash, signature)
        return original, signature

    def _bands(self, signature: np.ndarray) -> Iterable[tuple[int, bytes]]:
        for band in range(len(signature) // self.rows):
            yield band, signature[band * self.rows : (band + 1) * self.rows].tobytes()

    def _near(self, signature: np.ndarray) -> str | None:
        seen: set[str] = set()
        best, best_sim = None, self.settings.near_threshold
        for key in self._bands(signature):
            for cand in self.buckets.get(key, ()):
                if cand in seen:
                    continue
                seen.add(cand)
                sim = float(np.mean(self.signatures[cand] == signature))
                if sim >= best_sim:
                    best, best_sim = cand, sim
        return best


def fold_batch(
    docs: Sequence[Document], settings: DedupeSettings = DedupeSettings()
) -> list[Document]:
    """Fold the duplicates of a batch into their first occurrence (``Document.copies``)."""
    deduper = Deduper(settings)
    kept: dict[str, Document] = {}
    copies: dict[str, list[str]] = {}
    for doc in docs:
        original, _ = deduper.check(doc)
        if original is None:
            kept[doc.id] = doc
        else:
            copies.setdefault(original, []).extend(doc.all_ids)
    return [replace(d, copies=(*d.copies, *copies.get(i, ()))) for i, d in kept.items()]
