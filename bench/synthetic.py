"""A synthetic corpus for index benchmarks, built by reusing and perturbing real sentences.

Source paragraphs are three sentences drawn from MRPC (news sentences). Derived paragraphs come in three kinds,
each with its true source paragraph known:

- copy: the source paragraph as it is;
- light: about 15% of its words dropped or swapped with a neighbour;
- paraphrase: each sentence replaced by its MRPC paraphrase (label 1), the hard case for retrieval.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from pathlib import Path

MRPC = Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks" / "mrpc" / "train.tsv"


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


def corpus(n_paragraphs: int, n_probes: int, seed: int = 7) -> tuple[list[str], list[Probe]]:
    rng = random.Random(seed)
    paraphrases, sentences = _pairs()
    paragraphs: list[str] = []
    plans: list[list[tuple[str, str]]] = []
    # The first paragraphs are built from paraphrase pairs so that probes of every kind have a known source.
    for i in range(n_paragraphs):
        if i < n_probes:
            plan = [paraphrases[rng.randrange(len(paraphrases))] for _ in range(3)]
            paragraphs.append(" ".join(a for a, _ in plan))
            plans.append(plan)
        else:
            paragraphs.append(" ".join(sentences[rng.randrange(len(sentences))] for _ in range(3)))
    probes: list[Probe] = []
    for i in range(n_probes):
        kind = ("copy", "light", "paraphrase")[i % 3]
        if kind == "copy":
            text = paragraphs[i]
        elif kind == "light":
            words = paragraphs[i].split()
            out = []
            for w in words:
                r = rng.random()
                if r < 0.08:
                    continue
                out.append(w)
                if r > 0.93 and len(out) > 1:
                    out[-1], out[-2] = out[-2], out[-1]
            text = " ".join(out)
        else:
            text = " ".join(b for _, b in plans[i])
        probes.append(Probe(kind, text, i))
    rng.shuffle(probes)
    return paragraphs, probes
