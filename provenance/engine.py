"""The pipeline, wired: documents -> fingerprints -> alignment -> scorer signals -> detectors -> report. No
heuristics live here."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from provenance import plugins as _plugins
from provenance.align.core import align
from provenance.assemble import ASSEMBLE_OPTIONS, VERDICT_DEFAULTS, assemble
from provenance.components import Option, declared, resolve
from provenance.derivation import DERIVATION_OPTIONS, assess, confirmation_matters
from provenance.detectors.context import DetectionContext
from provenance.errors import PluginError
from provenance.fingerprint import FingerprintParams, best_matches, fingerprint_document
from provenance.model import Alignment, Document, Finding, Report
from provenance.plugins import PluginHost
from provenance.signals import score_alignment
from provenance.text.load import Input, load_document


def run_detectors(ctx: DetectionContext, host: PluginHost) -> tuple[list[Finding], list[dict[str, str]]]:
    """Run every enabled detector; a failing one is recorded (and named) instead of ending the comparison."""
    findings: list[Finding] = []
    errors: list[dict[str, str]] = []
    for plugin, det in host.detectors():
        host.trace(f"detect: {plugin}:{det.name}")
        try:
            produced = list(det.detect(ctx) or ())
            for f in produced:
                if not isinstance(f, Finding):
                    raise TypeError(f"detect() yielded {type(f).__name__}, not Finding")
        except Exception as exc:
            if os.environ.get("PROVENANCE_DEBUG"):
                raise
            errors.append(
                {"plugin": plugin, "detector": str(det.name), "error": f"{type(exc).__name__}: {exc}"}
            )
            continue
        findings.extend(produced)
    return findings, errors


def known_options(host: PluginHost) -> dict[str, Option]:
    """Every option a user may set: the verdict's, the counting rules' and those declared by enabled components."""
    known: dict[str, Option] = {k: Option(v, float) for k, v in VERDICT_DEFAULTS.items()}
    known.update(ASSEMBLE_OPTIONS)
    known.update(DERIVATION_OPTIONS)
    for kind in ("detectors", "extractors", "renderers", "scorers"):
        for name, comp in host.components[kind].items():
            known.update(declared(name, getattr(comp, "options", None)))
    return known


Stage = Callable[[str], None]  # told the name of each stage as it starts (a progress bar: cli/compare.py)
STAGES = ("reading", "fingerprinting", "aligning", "scoring", "detecting", "assembling")


def _quiet(_stage: str) -> None:
    pass


def gather(
    source: Document,
    derived: Document,
    *,
    host: PluginHost,
    options: Mapping[str, Any],
    params: FingerprintParams | None = None,
    stage: Stage = _quiet,
    confirm: bool | None = None,
) -> tuple[Alignment, list[dict[str, str]]]:
    """The evidence of a comparison: fingerprints, the alignment and the scorers' signals (the costly part), and
    the scorers that failed. `options` arrive resolved (`resolve`).

    `confirm`: whether a judging scorer confirms every sentence for the article-level decision. None (the
    default): only where its confirmations could change that decision under these options
    (derivation.confirmation_matters); True: always, for evidence that is concluded again under other options
    (the benchmarks' cross-validation)."""
    params = params or FingerprintParams()
    stage("fingerprinting")
    minhash = best_matches(fingerprint_document(source, params), fingerprint_document(derived, params))
    stage("aligning")
    alignment = align(source, derived, minhash)
    stage("scoring")
    scorers = host.scorers()
    if confirm is None:
        confirm = bool(scorers) and confirmation_matters(alignment, options)
    return score_alignment(alignment, scorers, options, host.trace, confirm=confirm)


def conclude(
    alignment: Alignment,
    *,
    host: PluginHost,
    options: Mapping[str, Any],
    errors: Sequence[Mapping[str, str]] = (),
    params: FingerprintParams | None = None,
    stage: Stage = _quiet,
) -> Report:
    """From the evidence to the report: the article as a whole, the detectors' findings, the assembled report."""
    params = params or FingerprintParams()
    stage("detecting")
    alignment = assess(alignment, options)
    ctx = DetectionContext(alignment.source, alignment.derived, alignment, options)
    findings, detector_errors = run_detectors(ctx, host)
    stage("assembling")
    parameters = {
        "fingerprint": params.to_dict(),
        "options": dict(sorted(options.items())),
        "detectors": sorted(f"{host.plugin_of('detectors', d.name)}:{d.name}" for _, d in host.detectors()),
    }
    scorers = host.scorers()
    if scorers:  # only then: a report without scorer plugins is exactly what it was before the hook existed
        parameters["scorers"] = sorted(f"{plugin}:{sc.name}" for plugin, sc in scorers)
    return assemble(
        alignment, findings, options=options, parameters=parameters, errors=[*errors, *detector_errors]
    )


def compare_documents(
    source: Document,
    derived: Document,
    *,
    host: PluginHost,
    options: Mapping[str, Any] | None = None,
    params: FingerprintParams | None = None,
    stage: Stage = _quiet,
) -> Report:
    effective = resolve(known_options(host), dict(options or {}))
    alignment, scorer_errors = gather(
        source, derived, host=host, options=effective, params=params, stage=stage
    )
    return conclude(alignment, host=host, options=effective, errors=scorer_errors, params=params, stage=stage)


def compare(
    source: Input,
    derived: Input,
    *,
    options: Mapping[str, Any] | None = None,
    disable: Iterable[str] = (),
    source_format: str | None = None,
    derived_format: str | None = None,
    source_name: str | None = None,
    derived_name: str | None = None,
    host: PluginHost | None = None,
    stage: Stage = _quiet,
) -> Report:
    """Compare a derived article with its source. A `Path` is read from disk, a `str` is the article text itself,
    `bytes` are decoded like a file. `stage` is told each stage's name (STAGES) as it starts."""
    # Looked up at call time: a test harness may swap get_host while a CLI command first imports this module.
    host = host or _plugins.get_host(tuple(disable))
    stage("reading")
    src = load_document(source, source_name, fmt=source_format, host=host)
    der = load_document(derived, derived_name, fmt=derived_format, host=host)
    return compare_documents(src, der, host=host, options=options, stage=stage)


__all__ = ["PluginError", "compare", "compare_documents", "conclude", "gather", "run_detectors"]
