"""A synthetic corpus for index benchmarks, built by reusing and perturbing real sentences.

Source paragraphs that probes point to are three sentences drawn from MRPC (news sentences) whose paraphrases are
known. Derived probes come in four kinds, each with its true source paragraph known:

- copy: the source paragraph as it is;
- light: about 15% of its words dropped or swapped with a neighbour;
- paraphrase: each sentence replaced by its MRPC paraphrase (label 1), the hard case for retrieval;
- excerpt: one sentence of the source paragraph, copied (a short paragraph inside a long source: containment).

The rest of the corpus (the filler that makes it large) recombines MRPC's words with a bigram chain trained on
its sentences: the vocabulary, word frequencies, names and numbers of real news, so chance collisions between
unrelated paragraphs happen as often as in a real archive, yet no filler paragraph repeats a real one. A corpus of
1,000,000 paragraphs generates in well under a minute (vectorised with numpy).
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MRPC = Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks" / "mrpc" / "train.tsv"
KINDS = ("copy", "light", "paraphrase", "excerpt")


@dataclass(frozen=True, slots=True)
class Probe:
    kind: str
    text: str
    source: int  # index of the true source paragraph in the corpus


def _pairs() -> tuple[list[tuple[str, str]], list[str]]:
    paraphrases, sentences = [], []
    with MRPC.open(encoding="utf-8") as fh:
        rows = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(rows)
        for row in rows:
            if len(row) < 5:
                continue
            sentences.extend((row[3], row[4]))
            if row[0] == "1":
                paraphrases.append((row[3], row[4]))
    return paraphrases, sentences


class BigramChain:
    """Sentences drawn word by word from MRPC's bigram statistics, many at once."""

    END = 0

    def __init__(self, sentences: list[str]) -> None:
        vocab: dict[str, int] = {"</s>": 0}
        starts: list[int] = []
        pairs: list[tuple[int, int]] = []
        for s in sentences:
            ids = [vocab.setdefault(w, len(vocab)) for w in s.split()]
            if not ids:
                continue
            starts.append(ids[0])
            pairs.extend(zip(ids, [*ids[1:], self.END]))
        self.words = np.array(list(vocab), dtype=object)
        arr = np.array(pairs, dtype=np.int64)
        arr = arr[np.argsort(arr[:, 0], kind="stable")]
        self.succ = arr[:, 1]
        counts = np.bincount(arr[:, 0], minlength=len(vocab))
        self.offsets = np.concatenate(([0], np.cumsum(counts)))
        self.counts = counts
        self.starts = np.array(starts, dtype=np.int64)

    def sentences(self, n: int, rng: np.random.Generator, max_len: int = 40) -> list[str]:
        state = self.starts[rng.integers(0, len(self.starts), n)]
        cols = [state]
        alive = np.ones(n, dtype=bool)
        for _ in range(max_len - 1):
            pick = self.offsets[state] + (rng.random(n) * np.maximum(self.counts[state], 1)).astype(np.int64)
            nxt = np.where(
                alive & (self.counts[state] > 0), self.succ[np.minimum(pick, len(self.succ) - 1)], self.END
            )
            alive &= nxt != self.END
            state = np.where(alive, nxt, 0)
            cols.append(np.where(alive, nxt, self.END))
            if not alive.any():
                break
        grid = np.stack(cols, axis=1)
        words = self.words
        return [" ".join(words[row[row != self.END]]) for row in grid]


def light_edit(text: str, rng: random.Random) -> str:
    """About 8% of the words dropped and 7% swapped with their neighbour: a copy edited in passing."""
    out: list[str] = []
    for w in text.split():
        r = rng.random()
        if r < 0.08:
            continue
        out.append(w)
        if r > 0.93 and len(out) > 1:
            out[-1], out[-2] = out[-2], out[-1]
    return " ".join(out)


def corpus(n_paragraphs: int, n_probes: int, seed: int = 7) -> tuple[list[str], list[Probe]]:
    paragraphs, probes, _ = corpus_with_paraphrases(n_paragraphs, n_probes, seed)
    return paragraphs, probes


def corpus_with_paraphrases(
    n_paragraphs: int, n_probes: int, seed: int = 7
) -> tuple[list[str], list[Probe], list[str]]:
    """The corpus, its probes, and the MRPC paraphrase of each of the first n_probes paragraphs."""
    rng = random.Random(seed)
    paraphrases, sentences = _pairs()
    paragraphs: list[str] = []
    plans: list[list[tuple[str, str]]] = []
    n_real = min(n_probes, n_paragraphs)
    for _ in range(n_real):
        plan = [paraphrases[rng.randrange(len(paraphrases))] for _ in range(3)]
        paragraphs.append(" ".join(a for a, _ in plan))
        plans.append(plan)
    filler = n_paragraphs - n_real
    if filler:
        # Probes' true sources stay unique: the chain never learns their sentences or paraphrases.
        used = {s for plan in plans for pair in plan for s in pair}
        chain = BigramChain([s for s in sentences if s not in used])
        sents = chain.sentences(3 * filler, np.random.default_rng(seed))
        paragraphs.extend(" ".join(sents[i : i + 3]) for i in range(0, 3 * filler, 3))
    probes: list[Probe] = []
    for i in range(n_real):
        kind = KINDS[i % len(KINDS)]
        if kind == "copy":
            text = paragraphs[i]
        elif kind == "light":
            text = light_edit(paragraphs[i], rng)
        elif kind == "paraphrase":
            text = " ".join(b for _, b in plans[i])
        else:
            text = plans[i][rng.randrange(3)][0]
        probes.append(Probe(kind, text, i))
    rng.shuffle(probes)
    return paragraphs, probes, [" ".join(b for _, b in plan) for plan in plans]
