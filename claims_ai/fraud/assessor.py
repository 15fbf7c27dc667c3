"""The fraud stage: signals → calibrated score and band → reasons (features that moved the score + rules that
fired), each pointing at the document, field, page and box concerned.

Built once (scorer, duplicate index, settings) and called per claim; ``assess`` only reads the index —
``register`` stores the claim's hashes and invoice keys, so the caller decides when a claim counts as seen.

A reason per code (several signals can share one, e.g. the forensic scores and the contradicted figure all say
``altered_amount``); its weight is the summed Shapley share of its signals. Order: rules that fired and are direct
evidence of manipulation (``ROOT_CAUSES``) first, then other fired rules, then features, each by weight — a re-used
invoice explains the name and hospital mismatches it causes, so it is named before them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np

from claims_ai.config import FraudSettings, Settings
from claims_ai.fraud.duplicates import DuplicateIndex, PageHash, invoice_keys
from claims_ai.fraud.features import FeatureBuilder, reason_code
from claims_ai.fraud.reasons import message
from claims_ai.fraud.scorer import FraudScorer
from claims_ai.fraud.types import (
    Evidence,
    FraudBand,
    FraudReason,
    FraudResult,
    MemberHistory,
    PageForensics,
    ReasonKind,
    Signal,
)
from claims_ai.materials.checks import CheckResult
from claims_ai.medical.evidence import ClaimEvidence

__all__ = ["FraudAssessor"]

_MAX_EVIDENCE = 6
# Direct evidence of manipulation explains the inconsistencies it causes (a re-used invoice carries another
# member's name and hospital; an altered figure breaks the charge-line sum), so when it fires it is listed first.
ROOT_CAUSES = frozenset({"invoice_reused", "image_reused", "altered_amount"})


def _tier(reason: FraudReason) -> int:
    """Order of reasons: root-cause rules that fired, other rules that fired, then features by weight."""
    if reason.kind is ReasonKind.RULE:
        return 0 if reason.code in ROOT_CAUSES else 1
    return 2


class FraudAssessor:
    def __init__(
        self,
        scorer: FraudScorer,
        index: DuplicateIndex | None = None,
        settings: FraudSettings | None = None,
        features: FeatureBuilder | None = None,
    ) -> None:
        self.scorer = scorer
        self.index = index
        self.settings = settings or FraudSettings()
        self.features = features or FeatureBuilder(self.settings)

    @classmethod
    def from_settings(cls, settings: Settings, index: DuplicateIndex | None = None) -> FraudAssessor:
        """The scorer named by ``settings.fraud.model_name`` from ``settings.models_dir`` (checksum verified)."""
        scorer = FraudScorer.from_models_dir(
            settings.models_dir, name=settings.fraud.model_name, provider=settings.ocr.provider, threads=1
        )
        return cls(scorer, index, settings.fraud)

    def band(self, score: float) -> FraudBand:
        if score >= self.settings.high_from:
            return FraudBand.HIGH
        if score >= self.settings.medium_from:
            return FraudBand.MEDIUM
        return FraudBand.LOW

    def assess(
        self,
        evidence: ClaimEvidence,
        checks: Sequence[CheckResult],
        diagnosis_codes: Sequence[str] = (),
        page_forensics: Sequence[PageForensics] = (),
        page_hashes: Sequence[PageHash] = (),
        *,
        claim_id: str = "",
        history: MemberHistory | None = None,
    ) -> FraudResult:
        hashes = self._with_documents(evidence, page_hashes)
        hits = self.index.find(claim_id, hashes, invoice_keys(evidence)) if self.index is not None else None
        built = self.features.build(evidence, checks, diagnosis_codes, page_forensics, hits or (), history)
        signals = dict(built.signals)
        if hits is None:  # no index: duplicates are unknown, not absent
            for name in ("duplicate_invoice", "duplicate_page_image"):
                signals[name] = Signal(name, float("nan"))
        spec = self.scorer.spec
        x = spec.encode([{n: s.value for n, s in signals.items()}])[0]
        baseline = np.array(spec.baseline or [np.nan] * len(x), dtype=np.float32)
        explained = self.scorer.explain_vector(x, baseline, permutations=self.settings.attribution_permutations)
        reasons = self._reasons(signals, explained.contributions)
        score = self._shifted(explained.probability)
        return FraudResult(score, self.band(score), reasons, self.scorer.version, signals)

    def register(
        self,
        claim_id: str,
        evidence: ClaimEvidence,
        page_hashes: Sequence[PageHash] = (),
        *,
        member_id: str | None = None,
    ) -> None:
        """Store the claim's page hashes and invoice keys so later claims can be checked against it."""
        if self.index is not None:
            hashes = self._with_documents(evidence, page_hashes)
            self.index.add(claim_id, hashes, invoice_keys(evidence), member_id=member_id)

    def _shifted(self, p: float) -> float:
        """The probability at the deployment's expected fraud rate instead of the training prevalence."""
        trained = self.scorer.spec.label.get("base_rate")
        wanted = self.settings.expected_fraud_rate
        if wanted is None or not isinstance(trained, int | float) or not 0 < trained < 1:
            return p
        p = min(max(p, 1e-9), 1 - 1e-9)
        odds = p / (1 - p) * (wanted / (1 - wanted)) / (trained / (1 - trained))
        return odds / (1 + odds)

    @staticmethod
    def _with_documents(evidence: ClaimEvidence, hashes: Sequence[PageHash]) -> list[PageHash]:
        """Page hashes come from the page stage, before pages are grouped into documents: name the document."""
        out = []
        for h in hashes:
            if h.document_id is None:
                doc = next((d for d in evidence.documents if d.file == h.file and h.page in d.pages), None)
                h = replace(h, document_id=doc.document_id if doc else None)
            out.append(h)
        return out

    def _reasons(self, signals: dict[str, Signal], contributions: Mapping[str, float]) -> tuple[FraudReason, ...]:
        weight: dict[str, float] = defaultdict(float)
        members: dict[str, list[str]] = defaultdict(list)
        for name, value in contributions.items():
            if name in signals and not signals[name].known:
                continue  # a value the claim lacks moved the model, but "unknown" is no reason to suspect fraud
            code = reason_code(name, signals)
            weight[code] += max(value, 0.0)  # what pushed toward fraud; signals that lowered it are not reasons
            members[code].append(name)
        fired: dict[str, list[str]] = defaultdict(list)
        for name, s in signals.items():
            if s.fired:
                fired[reason_code(name, signals)].append(name)
        by_weight = sorted(
            (c for c in weight if weight[c] >= self.settings.min_reason_weight), key=lambda c: -weight[c]
        )
        chosen = by_weight[: self.settings.max_feature_reasons]
        chosen += [c for c in fired if c not in chosen]
        reasons = []
        for code in chosen:
            names = list(dict.fromkeys(fired.get(code, []) + members.get(code, [])))
            evidence = self._evidence(signals, fired.get(code) or names)
            zh, en = message(code)
            kind = ReasonKind.RULE if code in fired else ReasonKind.FEATURE
            reasons.append(FraudReason(code, kind, max(weight.get(code, 0.0), 0.0), zh, en, evidence, tuple(names)))
        return tuple(sorted(reasons, key=lambda r: (_tier(r), -r.weight)))

    @staticmethod
    def _evidence(signals: dict[str, Signal], names: list[str]) -> tuple[Evidence, ...]:
        seen: list[Evidence] = []
        for name in names:
            for e in signals[name].evidence if name in signals else ():
                if e not in seen:
                    seen.append(e)
        return tuple(seen[:_MAX_EVIDENCE])
