"""Reference numbers for the semantic plugin's numpy forward pass, computed with sentence-transformers and torch.

    pip install torch sentence-transformers      # this script only; the plugin and its tests need neither
    python bench/semantic_reference.py           # writes plugins/provenance-semantic/tests/data/reference.npz

The plugin runs all-MiniLM-L6-v2 and its paraphrase judge in numpy (provenance_semantic/bert.py). Its test
(tests/test_semantic_equality.py) compares that to what the reference implementation computes for the same
inputs: the embeddings of the first `SENTENCES` distinct sentences of MRPC train (../shared/benchmarks/mrpc) and
the judge's probabilities for the first `PAIRS` pairs. Only derived numbers are stored (vectors in half precision,
probabilities, and a digest of the texts so the test knows it reads the same sentences), never the text itself.
Run it again whenever the model package, the adapter or MRPC changes.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SENTENCES = 1000
PAIRS = 500
OUTPUT = ROOT / "plugins" / "provenance-semantic" / "tests" / "data" / "reference.npz"


def inputs() -> tuple[list[str], list[tuple[str, str]]]:
    """The sentences and pairs the reference covers, read from MRPC train in file order."""
    from bench.accuracy import mrpc_pairs

    data = mrpc_pairs()
    sentences = list(dict.fromkeys(s for _, a, b in data for s in (a, b)))[:SENTENCES]
    return sentences, [(a, b) for _, a, b in data[:PAIRS]]


def digest(sentences: list[str], pairs: list[tuple[str, str]]) -> str:
    text = "\n".join(sentences) + "\n\n" + "\n".join(f"{a}\t{b}" for a, b in pairs)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def main() -> int:
    import numpy as np
    import torch
    from sentence_transformers import SentenceTransformer

    from bench.train_paraphrase import sentence_transformers_folder, torch_model
    from provenance_semantic import pairs

    sentences, judged = inputs()
    encoder = SentenceTransformer(sentence_transformers_folder(), device="cpu")
    vectors = encoder.encode(sentences, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
    judge = torch_model().load(encoder, pairs.ADAPTER)
    with torch.inference_mode():
        probabilities = np.concatenate(
            [judge.probabilities(judged[k : k + 32]) for k in range(0, len(judged), 32)]
        )
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        OUTPUT,
        embeddings=vectors.astype(np.float16),
        probabilities=probabilities.astype(np.float64),
        digest=np.frombuffer(digest(sentences, judged).encode(), dtype=np.uint8),
    )
    print(
        f"wrote {OUTPUT} ({OUTPUT.stat().st_size:,} bytes): {len(sentences)} embeddings, {len(judged)} pairs"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
