"""Speed of `compare` with the semantic plugin, against the same comparison without it (shared, noisy machines:
the ratio is the figure to watch; the goal is under 1 s on two cores once the model is loaded).

    python bench/semantic_speed.py

Prints, for two ~1,000-word articles (bench/speed.py's pair, built from Clough & Stevenson texts):
1. importing the plugin (must stay cheap: the model loads on first use, never at import);
2. loading the model (torch, sentence-transformers, the weights), once per process, reported apart;
3. `compare` without the plugin and with it, median of 7 runs after a warm-up. The embedding cache is cleared
   before every run with the plugin, so each one encodes both articles' sentences: nothing is reused.
4. the same with two ~1,000-word articles that do not retell each other in order (same-event reports), where the
   paraphrase judge reads the closest matches of the paragraphs it can change;
5. an audit of 20 Clough & Stevenson answers against an index of the whole corpus (100 texts, top 3 sources),
   with the plugin, from an index without stored vectors and from one built with `--embed semantic`: the
   stored vectors spare the sources' sentences (embedding cache cleared before each audit).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

GOAL_SECONDS = 1.0
REPEAT = 7  # runs per median


def main() -> int:
    from bench.speed import CLOUGH, article_pair, median_time

    if not CLOUGH.is_dir():
        print(f"{CLOUGH} not found", file=sys.stderr)
        return 3
    import provenance
    from provenance.testing import make_host

    t0 = time.perf_counter()
    import provenance_semantic
    from provenance_semantic import model

    import_s = time.perf_counter() - t0
    loaded_at_import = model.loaded()
    t0 = time.perf_counter()
    model.load()
    load_s = time.perf_counter() - t0

    import torch

    src, der = article_pair()
    plain, meaning = make_host(), make_host(provenance_semantic)
    provenance.compare(src, der, host=plain)  # warm-up: wordfreq table, stemmer
    provenance.compare(src, der, host=meaning)  # warm-up: first forward pass

    def with_plugin():
        model.clear_cache()
        provenance.compare(src, der, host=meaning)

    without_s = median_time(lambda: provenance.compare(src, der, host=plain), REPEAT)
    before = model.STATS.encoded_texts
    with_s = median_time(with_plugin, REPEAT)
    encoded = (model.STATS.encoded_texts - before) // REPEAT

    print(
        f"articles: source {len(src.split())} words, derived {len(der.split())} words; "
        f"torch threads {torch.get_num_threads()}; {encoded} sentences encoded per comparison"
    )
    print("| step | seconds | note |")
    print("|---|---:|---|")
    print(f"| import provenance_semantic | {import_s:.3f} | model loaded at import: {loaded_at_import} |")
    print(
        f"| model load (first use, once per process) | {load_s:.2f} | torch + sentence-transformers + weights |"
    )
    print(f"| compare without the plugin (median of 7) | {without_s:.3f} | |")
    print(
        f"| compare with the plugin (median of 7) | {with_s:.3f} | goal < {GOAL_SECONDS:.1f} s: "
        f"{'met' if with_s < GOAL_SECONDS else 'NOT met'}; {with_s / without_s:.1f}x without |"
    )

    # The paraphrase judge's case: an article that does not retell its source in order (each of its paragraphs is
    # then judged on meaning alone). Same-event reports (bench/data/same-event, `-a`) against the independent
    # reports of the same events (`-b`), in reverse event order, cut to ~1,000 words each: shared names,
    # figures and quotes, no derivation. Both caches cleared before every run.
    from provenance_semantic import pairs

    same_event = ROOT / "bench" / "data" / "same-event"
    events = sorted({p.name[:-6] for p in same_event.glob("0*-a.txt")})

    def first_words(paragraphs: list[str], words: int = 1000) -> str:
        out: list[str] = []
        for para in paragraphs:
            if sum(len(q.split()) for q in out) >= words:
                break
            out.append(para)
        return "\n\n".join(out)

    other_src = first_words(
        [q for e in events for q in (same_event / f"{e}-b.txt").read_text(encoding="utf-8").split("\n\n")]
    )
    other_der = first_words(
        [
            q
            for e in reversed(events)
            for q in (same_event / f"{e}-a.txt").read_text(encoding="utf-8").split("\n\n")
        ]
    )
    provenance.compare(other_src, other_der, host=meaning)  # warm-up: the judge's weights

    def judged():
        model.clear_cache()
        pairs.clear_cache()
        provenance.compare(other_src, other_der, host=meaning)

    before = pairs.STATS.judged
    judged_s = median_time(judged, REPEAT)
    n_read = (pairs.STATS.judged - before) // REPEAT
    print(
        f"| compare with the plugin, same-event reports ({len(other_src.split())} and {len(other_der.split())} "
        f"words; {n_read} closest matches judged; median of 7) | {judged_s:.3f} | goal < {GOAL_SECONDS:.1f} s: "
        f"{'met' if judged_s < GOAL_SECONDS else 'NOT met'} |"
    )
    with_s = max(with_s, judged_s)
    _audit_table(meaning)
    return 0 if with_s < GOAL_SECONDS else 1


def _audit_table(host) -> None:
    import tempfile

    from bench.speed import CLOUGH
    from provenance.index import open_index
    from provenance.index import vectors as embeddings
    from provenance.index.audit import audit_documents
    from provenance.index.ingest import prepare
    from provenance.text.inputs import RawDocument
    from provenance.text.load import load_document
    from provenance_semantic import model

    files = sorted(CLOUGH.glob("*.txt"))
    raws = [RawDocument(f.name, f.read_text(encoding="utf-8", errors="replace"), "text") for f in files]
    probes = [load_document(r.text, r.id, host=host) for r in raws if not r.id.startswith("orig")][::4][:20]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for embed in (False, True):
            idx = open_index(str(Path(tmp) / f"i{int(embed)}.db"), create=True, host=host)
            prepared = [prepare(r, idx.params, sentences=True) for r in raws]
            idx.put_many([(p.doc, p.prints) for p in prepared])
            t0 = time.perf_counter()
            if embed:
                idx.set_embeddings({"semantic": embeddings.embedder(host, "semantic").embedding_version})
                embeddings.fill(
                    idx, host, idx.embeddings(), [(p.doc.id, p.doc.digest, p.sentences) for p in prepared]
                )
            embed_s = time.perf_counter() - t0
            model.clear_cache()
            before = model.STATS.encoded_texts
            t0 = time.perf_counter()
            results = list(audit_documents(idx, probes, host=host, skip_self=True))
            rows.append(
                (embed, embed_s, time.perf_counter() - t0, model.STATS.encoded_texts - before, results)
            )
            idx.close()
    same = [a.verdict for a in rows[0][4]] == [b.verdict for b in rows[1][4]]
    print()
    print(
        f"audit of {len(probes)} answers against an index of {len(raws)} texts (top 3 sources each); "
        f"same verdicts with and without stored vectors: {same}"
    )
    print("| index | embedding the corpus, s | audit, s | sentences encoded | x audit without vectors |")
    print("|---|---:|---:|---:|---:|")
    base = rows[0][2]
    for embed, embed_s, audit_s, encoded, _ in rows:
        name = "built with `--embed semantic`" if embed else "without stored vectors"
        print(f"| {name} | {embed_s:.1f} | {audit_s:.2f} | {encoded} | {base / audit_s:.2f} |")


if __name__ == "__main__":
    sys.exit(main())
