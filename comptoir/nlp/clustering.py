"""Clustering tickets by meaning, category and configuration items (issue 13, item 5).

Plain numpy, no Django. Each ticket is a unit sentence vector (USE-multilingual: a French and an
English text about the same thing land close together); its category and configuration items are
appended as extra coordinates so that a dot product between two tickets is

    cosine(texts) + category_bonus · [same category] + item_bonus · overlap(items)

(the overlap is the items' cosine: 1 for the same single item). Clusters are built by
average-linkage agglomeration stopped at ``threshold``: two groups are merged while the mean
similarity between their members is at least the threshold. Because a dot product is bilinear,
the mean similarity of two groups is the dot product of their (unnormalised) mean vectors, so a
group is fully described by its mean and its size, and groups from different blocks can be
merged later exactly as if they had been together from the start.

Scale: exact agglomeration is quadratic, so above ``block`` items the vectors are split into
blocks by a few rounds of k-means, each block is agglomerated exactly, and the groups found are
agglomerated again (their means, weighted by their sizes) in new blocks, for a few levels. A
pair split by the first blocking is usually brought together at the next level. 100,000 tickets
take seconds (``bench/problems.py``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

DEFAULT_THRESHOLD = 0.4  # best ARI on bench/data/problems (bench/results/problems.md)
DEFAULT_CATEGORY_BONUS = 0.06
DEFAULT_ITEM_BONUS = 0.08
DEFAULT_BLOCK = 600
MAX_ITEM_DIMS = 256  # configuration items beyond this many distinct ones share hashed coordinates
LEVELS = 4  # agglomeration passes over blocks of groups after the first one


@dataclass(frozen=True)
class Settings:
    threshold: float = DEFAULT_THRESHOLD
    category_bonus: float = DEFAULT_CATEGORY_BONUS
    item_bonus: float = DEFAULT_ITEM_BONUS
    block: int = DEFAULT_BLOCK
    seed: int = 13
    # Tickets of two different known categories never share a cluster: a recurring problem is
    # reported under one category (the demo's templated tickets of four categories, all about
    # the same utility, otherwise merged into one group of 142 at the default threshold).
    separate_categories: bool = True


def _unit(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


def augment(
    vectors: np.ndarray,
    *,
    categories: Sequence[int | None] | None = None,
    items: Sequence[Sequence[int]] | None = None,
    category_bonus: float = DEFAULT_CATEGORY_BONUS,
    item_bonus: float = DEFAULT_ITEM_BONUS,
) -> np.ndarray:
    """Unit text vectors with the category and items appended as weighted one-hot coordinates."""
    base = _unit(vectors)
    n = len(base)
    parts = [base]
    if categories is not None and category_bonus > 0:
        known = sorted({c for c in categories if c is not None})
        if known:
            index = {c: i for i, c in enumerate(known)}
            block = np.zeros((n, len(known)), dtype=np.float32)
            for row, c in enumerate(categories):
                if c is not None:
                    block[row, index[c]] = math.sqrt(category_bonus)
            parts.append(block)
    if items is not None and item_bonus > 0:
        distinct = sorted({i for row_items in items for i in row_items})
        if distinct:
            width = min(len(distinct), MAX_ITEM_DIMS)
            index = {
                item: (k if len(distinct) <= MAX_ITEM_DIMS else item % width)
                for k, item in enumerate(distinct)
            }
            block = np.zeros((n, width), dtype=np.float32)
            for row, row_items in enumerate(items):
                cols = {index[i] for i in row_items}
                for col in cols:
                    block[row, col] = math.sqrt(item_bonus / len(cols))
            parts.append(block)
    return np.hstack(parts) if len(parts) > 1 else base


def agglomerate(means: np.ndarray, sizes: np.ndarray, threshold: float) -> np.ndarray:
    """Exact average linkage over groups given by their mean vectors and sizes: labels 0..k-1.

    Lance-Williams update of the similarity matrix, with each row's best partner cached so that
    a merge costs O(n) instead of a full scan."""
    n = len(means)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if n == 1:
        return np.zeros(1, dtype=np.int64)
    sims = (means @ means.T).astype(np.float32)
    np.fill_diagonal(sims, -np.inf)
    size = sizes.astype(np.float64).copy()
    parent = np.arange(n)
    best = sims.max(axis=1)
    partner = sims.argmax(axis=1)
    # A dirty row's ``best`` is a lower bound (its partner merged into something less similar):
    # it is scanned again only when it comes first, or before stopping.
    dirty = np.zeros(n, dtype=bool)
    while True:
        i = int(np.argmax(best))
        if not best[i] >= threshold:
            if not dirty.any():
                break
            rows = np.flatnonzero(dirty)
            best[rows] = sims[rows].max(axis=1)
            partner[rows] = sims[rows].argmax(axis=1)
            dirty[rows] = False
            continue
        if dirty[i]:
            best[i] = sims[i].max()
            partner[i] = int(sims[i].argmax())
            dirty[i] = False
            continue
        j = int(partner[i])
        wi = float(size[i] / (size[i] + size[j]))
        merged = sims[i] * np.float32(wi) + sims[j] * np.float32(1.0 - wi)
        merged[i] = -np.inf
        merged[j] = -np.inf
        sims[i, :] = merged
        sims[:, i] = merged
        sims[j, :] = -np.inf
        sims[:, j] = -np.inf
        size[i] += size[j]
        parent[j] = i
        best[j] = -np.inf
        dirty[j] = False
        stale = np.flatnonzero((partner == i) | (partner == j))
        if len(stale):
            best[stale] = merged[stale]
            partner[stale] = i
            dirty[stale] = True
        better = merged > best
        if better.any():
            best[better] = merged[better]
            partner[better] = i
        best[i] = merged.max()
        partner[i] = int(merged.argmax())
        dirty[i] = False
    roots = parent.copy()
    for k in range(n):  # parents point to a row merged later; follow to the last one
        r = k
        while roots[r] != r:
            r = roots[r]
        roots[k] = r
    _, labels = np.unique(roots, return_inverse=True)
    return labels.astype(np.int64)


def _group_sums(rows: np.ndarray, groups: np.ndarray, count: int) -> np.ndarray:
    """Row sums per group (``np.add.at`` is ten times slower)."""
    order = np.argsort(groups, kind="stable")
    sorted_groups = groups[order]
    starts = np.flatnonzero(np.r_[True, sorted_groups[1:] != sorted_groups[:-1]])
    sums = np.zeros((count, rows.shape[1]), dtype=np.float32)
    sums[sorted_groups[starts]] = np.add.reduceat(rows[order], starts, axis=0)
    return sums


def _kmeans_parts(points: np.ndarray, parts: int, rng: np.random.Generator, rounds: int = 6) -> np.ndarray:
    """Assign each point to one of ``parts`` spherical k-means centres (a partition, not a result)."""
    unit = _unit(points)
    centres = unit[rng.choice(len(unit), size=parts, replace=False)]
    assign = np.zeros(len(unit), dtype=np.int64)
    for _ in range(rounds):
        assign = np.argmax(unit @ centres.T, axis=1)
        sums = _group_sums(unit, assign, parts)
        empty = np.linalg.norm(sums, axis=1) == 0
        sums[empty] = centres[empty]
        centres = _unit(sums)
    return assign


def _blocks(points: np.ndarray, block: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Index arrays of at most ``block`` rows each, rows close in space kept together."""
    n = len(points)
    if n <= block:
        return [np.arange(n)]
    assign = _kmeans_parts(points, max(2, math.ceil(2 * n / block)), rng)
    out: list[np.ndarray] = []
    for part in np.unique(assign):
        members = np.flatnonzero(assign == part)
        if len(members) > block:
            if len(members) == n:  # k-means did not split: cut in order
                out.extend(members[k : k + block] for k in range(0, n, block))
            else:
                out.extend(members[sub] for sub in _blocks(points[members], block, rng))
        else:
            out.append(members)
    return out


def cluster(
    vectors: np.ndarray,
    *,
    categories: Sequence[int | None] | None = None,
    items: Sequence[Sequence[int]] | None = None,
    settings: Settings | None = None,
) -> np.ndarray:
    """Cluster labels (0..k-1, one per row of ``vectors``); rows of zeros stay alone."""
    s = settings or Settings()
    n = len(vectors)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    points = augment(
        vectors, categories=categories, items=items, category_bonus=s.category_bonus, item_bonus=s.item_bonus
    )
    rng = np.random.default_rng(s.seed)
    if not (s.separate_categories and categories is not None):
        return _agglomerate_all(points, s, rng)
    labels = np.empty(n, dtype=np.int64)
    offset = 0
    parts: dict[int | None, list[int]] = {}
    for row, category in enumerate(categories):
        parts.setdefault(category, []).append(row)
    for key in sorted(parts, key=lambda c: (c is None, c or 0)):
        rows = np.asarray(parts[key])
        local = _agglomerate_all(points[rows], s, rng)
        labels[rows] = local + offset
        offset += int(local.max()) + 1
    return labels


def _agglomerate_all(points: np.ndarray, s: Settings, rng: np.random.Generator) -> np.ndarray:
    n = len(points)
    labels: np.ndarray = np.arange(n)  # each row's group at the current level
    means = points
    sizes: np.ndarray = np.ones(n)
    for _level in range(LEVELS + 1):
        groups = len(means)
        new_group = np.empty(groups, dtype=np.int64)
        offset = 0
        for idx in _blocks(means, s.block, rng):
            local = agglomerate(means[idx], sizes[idx], s.threshold)
            new_group[idx] = local + offset
            offset += int(local.max()) + 1
        if offset == groups:  # nothing merged at this level
            break
        sums = _group_sums(means * sizes[:, None].astype(np.float32), new_group, offset)
        new_sizes = np.bincount(new_group, weights=sizes, minlength=offset)
        means = (sums / new_sizes[:, None]).astype(np.float32)
        sizes = new_sizes
        labels = new_group[labels]
        if groups <= s.block:  # that level saw every group at once: exact, done
            break
    _, labels = np.unique(labels, return_inverse=True)
    return labels.astype(np.int64)


def groups_of(labels: np.ndarray, *, min_size: int = 1) -> list[list[int]]:
    """Row indexes per cluster, largest first, clusters smaller than ``min_size`` left out."""
    found: dict[int, list[int]] = {}
    for row, label in enumerate(labels.tolist()):
        found.setdefault(label, []).append(row)
    out = [rows for rows in found.values() if len(rows) >= min_size]
    out.sort(key=lambda rows: (-len(rows), rows[0]))
    return out
