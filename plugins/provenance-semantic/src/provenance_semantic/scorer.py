"""The `semantic` scorer: cosine similarity of sentence embeddings, for every pair the engine asks about, and a
paraphrase judge for the closest matches where the article does not retell the source in order.

The engine sends all its (derived sentence, source sentence) pairs in one call. Each distinct sentence is encoded
once, in one batch (sentences met before come from the in-memory cache), and the pairs' similarities are dot
products of normalised vectors: a 1,000-word article against another costs about a hundred encodes, not thousands.
Where the article does not retell the source in order, the core asks `judge` about each derived sentence's closest
match: the cosine is moved by `pair_weight` x (probability - 0.5), the probability of a paraphrase read by MiniLM
with both sentences in one input (pairs.py). A sentence embedding calls two same-story sentences close even when a
figure or a clause differs; reading them together tells those apart (MRPC: 0.80 accuracy where the cosine alone
gives 0.72, on pairs the judge never saw).

The options are the calibration the core's rewrite rule reads (provenance/detectors/rewrite.py, `decide`):
`threshold` is the similarity a paragraph needs where the article as a whole does not retell the source in order,
and `pair_weight` how far the judge moves it (the threshold by 5-fold cross-validation on the fifth of MRPC train
the judge was not trained on, the weight among seven values on that same fifth: bench/accuracy.py,
docs/accuracy.md); `context_threshold` the similarity a paragraph needs
inside an article that does retell it; `match` the similarity from which a sentence match counts towards that
ordered chain.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import numpy as np
from provenance import Option

from . import model

THRESHOLD = 0.72  # MRPC, 5-fold cross-validation on the fold the paraphrase judge never saw (bench/accuracy.py)
CONTEXT_THRESHOLD = 0.5  # seeds, Clough & Stevenson and the same-event set (no held-out set: docs/accuracy.md)
# Inside an article that derives from the source as a whole (provenance/derivation.py): leave-one-story-out
# cross-validation on the real-news set (docs/accuracy.md).
DERIVED_THRESHOLD = 0.7
MATCH = 0.6  # a sentence match that counts towards the ordered chain
PAIR_WEIGHT = 1.2  # how far the paraphrase judge moves a closest match (MRPC held-out fold, cross-validated)
PAIR_FLOOR = 0.5  # closest matches below this similarity are not worth a judgement: nothing to confirm


class SemanticScorer:
    name = "semantic"
    description = f"meaning: cosine similarity of {model.MODEL_NAME} sentence embeddings (offline, CPU)"
    options: ClassVar[dict[str, Option]] = {
        "threshold": Option(
            THRESHOLD,
            float,
            "similarity a paragraph needs where the article as a whole does not retell the source in order",
            -1.0,
            1.0,
        ),
        "context_threshold": Option(
            CONTEXT_THRESHOLD,
            float,
            "similarity a paragraph needs inside an article that retells the source in order",
            -1.0,
            1.0,
        ),
        "derived_threshold": Option(
            DERIVED_THRESHOLD,
            float,
            "similarity that makes a paragraph a rewrite inside an article that derives from the source as a whole",
            -1.0,
            1.0,
        ),
        "match": Option(
            MATCH, float, "similarity from which a sentence match counts towards the ordered chain", -1.0, 1.0
        ),
        "pair_weight": Option(
            PAIR_WEIGHT,
            float,
            "how far the paraphrase judge (both sentences read at once) "
            "moves each sentence's closest match: similarity + weight x (probability - 0.5); "
            "0 switches the judge off",
            0.0,
            2.0,
        ),
    }

    # Stored vectors (`provenance index add --embed semantic`): half precision, 768 bytes a sentence. Cosines from
    # them differ from freshly computed ones by about 1e-3 (measured in tests/test_semantic_index.py).
    embedding_version = f"{model.MODEL_NAME}/float16/1"

    def embed(self, texts: Sequence[str]) -> list[bytes | None]:
        """A storable vector per text, encoded in one batch; None for texts the model cannot judge."""
        keep = [t for t in texts if judgeable(t)]
        rows = dict(zip(keep, model.embed(keep))) if keep else {}
        return [rows[t].astype(np.float16).tobytes() if t in rows else None for t in texts]

    def remember(self, items: Sequence[tuple[str, bytes]]) -> None:
        """Vectors stored earlier: the model's cache takes them, so those sentences are not encoded again."""
        model.prime((text, _unit(np.frombuffer(blob, dtype=np.float16))) for text, blob in items)

    def __init__(self, pair_weight: float | None = None) -> None:
        self.pair_weight = PAIR_WEIGHT if pair_weight is None else pair_weight

    def configure(self, options: dict[str, float]) -> None:
        self.pair_weight = float(options.get("pair_weight", self.pair_weight))

    def score(self, pairs: Sequence[tuple[str, str]]) -> list[float | None]:
        """Cosine similarity per pair; None (no opinion) where either text is not mostly in Latin script: the
        model was trained on English, and its similarities between, say, two Chinese sentences mean nothing."""
        return self._cosines(pairs)

    def judge(self, pairs: Sequence[tuple[str, str]]) -> list[float | None]:
        """The second opinion the core asks for on each derived sentence's closest source sentence, where the
        article does not retell the source in order: the cosine moved by the paraphrase judge (both sentences read
        at once, provenance_semantic/pairs.py), up when it reads a paraphrase, down when it reads a near miss (a
        changed figure, an added clause). None (the cosine stands) below PAIR_FLOOR or with `pair_weight` 0."""
        cosines = self._cosines(pairs)
        out: list[float | None] = [None] * len(pairs)
        if self.pair_weight <= 0:
            return out
        # A sentence paired with itself (a verbatim copy) is its own paraphrase: the judge reads such pairs at 0.97
        # or more (300 MRPC sentences), which moves a cosine of 1 to 1 in any case, so it is not asked.
        chosen = []
        for i, c in enumerate(cosines):
            if c is not None and pairs[i][0] == pairs[i][1]:
                out[i] = 1.0
            elif c is not None and c >= PAIR_FLOOR:
                chosen.append(i)
        if not chosen:
            return out
        from . import pairs as paraphrase  # the adapter: only when there is something to judge

        for i, p in zip(chosen, paraphrase.paraphrase([pairs[i] for i in chosen])):
            out[i] = max(-1.0, min(1.0, cosines[i] + self.pair_weight * (p - 0.5)))
        return out

    def _cosines(self, pairs: Sequence[tuple[str, str]]) -> list[float | None]:
        judged = [i for i, (a, b) in enumerate(pairs) if judgeable(a) and judgeable(b)]
        out: list[float | None] = [None] * len(pairs)
        if not judged:
            return out
        texts = list(dict.fromkeys(t for i in judged for t in pairs[i]))
        vectors = model.embed(texts)
        row = {t: k for k, t in enumerate(texts)}
        left = vectors[[row[pairs[i][0]] for i in judged]]
        right = vectors[[row[pairs[i][1]] for i in judged]]
        for i, v in zip(judged, np.einsum("ij,ij->i", left, right).clip(-1.0, 1.0).tolist()):
            out[i] = v
        return out


def _unit(vector: np.ndarray) -> np.ndarray:
    v = vector.astype(np.float32)
    norm = float(np.linalg.norm(v))
    return v / norm if norm else v


def judgeable(text: str) -> bool:
    """Whether most of the text's letters are Latin (the script all-MiniLM-L6-v2 was trained on)."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    latin = sum(1 for c in letters if c < "\u0250")  # Basic Latin to Latin Extended-B
    return latin * 2 >= len(letters)
