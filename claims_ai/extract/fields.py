"""Field extraction: rules and the learned tagger check each other, then amounts are cross-checked.

Where both layers agree the confidence rises; where they disagree the more confident wins with lower
confidence. Cross-checks (amount in words = figure, line items sum to the total, fund + cash = total) raise or
lower the total's confidence and are reported as ``checks``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

from claims_ai.extract.charges import ChargeLine
from claims_ai.extract.normalize import amount_digits
from claims_ai.extract.rules import Candidate, RuleExtractor, printed_figures
from claims_ai.extract.settlement import ACCOUNT, restore_settlement
from claims_ai.extract.tagger import FieldTagger
from claims_ai.types import Check, CheckStatus, DocType, ExtractedField, LineItem, OcrResult

__all__ = ["EXTRACTED_TYPES", "FieldExtractor"]

# Key fields are extracted from invoices, itemized bills and clinical documents.
EXTRACTED_TYPES = frozenset(DocType) - {DocType.ID_CARD, DocType.BANK_CARD, DocType.OTHER}
_TOLERANCE = Decimal("0.01")
_SETTLEMENT_PARTS = {"insurance_fund_paid", "personal_cash_paid", "self_pay_category", "self_expense"}
_CLOSE = 0.9  # a runner-up this close to the rules' best candidate counts as nearly as sure


class FieldExtractor:
    def __init__(self, rules: RuleExtractor, tagger: FieldTagger | None) -> None:
        self._rules = rules
        self._tagger = tagger

    @property
    def versions(self) -> dict[str, str]:
        return {"field_tagger": self._tagger.version} if self._tagger is not None else {}

    def extract(
        self, ocr: OcrResult, width: int, height: int, page: int, evidence: dict
    ) -> tuple[dict[str, ExtractedField], list[Check]]:
        by_rules = self._rules.extract(ocr, width, height)
        by_model = self._tagger.tag(ocr, width, height) if self._tagger else {}
        fields: dict[str, ExtractedField] = {}
        for name in sorted(set(by_rules) | set(by_model)):
            if name in ("amount_words", ACCOUNT, "item_name", "item_amount"):
                continue
            if name == "diagnoses" or name == "diagnosis":
                continue
            fields[name] = _combine(by_rules.get(name, []), by_model.get(name, []), page)
        _total_from_words(fields, by_rules.get("total_amount", []) + by_model.get("total_amount", []), by_rules, page)
        account = Decimal(by_rules[ACCOUNT][0].value) if by_rules.get(ACCOUNT) else None
        words = by_rules.get("amount_words")
        in_words = words[0].value if words else None
        if account is not None or fields.keys() & _SETTLEMENT_PARTS:  # an invoice's settlement block
            restore_settlement(fields, account, printed_figures(ocr.lines), page, in_words, by_rules)
        diagnoses = by_model.get("diagnosis", []) + by_rules.get("diagnoses", [])
        if diagnoses:
            values = tuple(dict.fromkeys(c.value for c in diagnoses))
            best = max(diagnoses, key=lambda c: c.confidence)
            fields["diagnoses"] = ExtractedField(
                values, best.confidence, page, best.box, best.text, "model" if by_model.get("diagnosis") else "rules"
            )
        charges = self._rules.charges(ocr, width, height)
        if charges:  # the table's rows, read by its column heads, before the tagger's pairs
            _total_from_charges(fields, charges, in_words)
            items = tuple(c.item for c in charges)
            confidence, source = min(c.confidence for c in charges), "rules"
        else:
            items = _line_items(by_model.get("item_name", []), by_model.get("item_amount", []))
            confidence, source = min((c.confidence for c in by_model.get("item_amount", [])), default=0.0), "model"
        if items and _add_up(items, fields.get("total_amount"), in_words):
            fields["line_items"] = ExtractedField(items, confidence, page, None, "", source)
        checks = _cross_checks(fields, by_rules.get("amount_words", []), account, evidence)
        return fields, checks


def _combine(rules: list[Candidate], model: list[Candidate], page: int) -> ExtractedField:
    r, m = (rules[0] if rules else None), (model[0] if model else None)
    if r and m and r.value == m.value:
        confidence = 1 - (1 - r.confidence) * (1 - m.confidence)
        return ExtractedField(m.value, round(confidence, 4), page, m.box, m.text, "rules+model")
    if r and m:
        agreeing = [c for c in model if c.value == r.value]  # the model's runner-up may agree with the rules
        if not agreeing:
            # The rules' runner-up, nearly as sure, that the model confirms: a photo of two slips gives the
            # other slip's value under the same label ("住院科室：血" beside this slip's "科室 血液科").
            confirmed = {c.value: c for c in model}
            close = [
                c
                for c in rules[1:]
                if c.value in confirmed and c.confidence >= _CLOSE * r.confidence and not _cut_from(c.value, r.value)
            ]
            if close:
                r = close[0]
                agreeing = [confirmed[r.value]]
        if agreeing:
            confidence = 1 - (1 - r.confidence) * (1 - agreeing[0].confidence)
            return ExtractedField(r.value, round(confidence, 4), page, agreeing[0].box, agreeing[0].text, "rules+model")
        # They disagree: the rules win (the model alone scores far lower on held-out pages), with less confidence.
        return ExtractedField(r.value, round(r.confidence * 0.6, 4), page, r.box, r.text, "rules")
    only, source = (m, "model") if m else (r, "rules")
    if only is None:
        raise ValueError("a field needs a candidate from at least one layer")
    return ExtractedField(only.value, only.confidence, page, only.box, only.text, source)


def _cut_from(short: str, whole: str) -> bool:
    """An amount read from the start of the same figure ("3.00" of "36956.56", from "个人现金支付3")."""
    if not (_AMOUNT.fullmatch(short) and _AMOUNT.fullmatch(whole)):
        return False
    a, b = short.split(".")[0], whole.split(".")[0]
    return len(a) < len(b) and b.startswith(a)


_AMOUNT = re.compile(r"\d+\.\d{2}")


def _total_from_words(
    fields: dict[str, ExtractedField], totals: list[Candidate], by_rules: dict[str, list[Candidate]], page: int
) -> None:
    """The amount in words picks the total: of the figures either layer read, the one the words confirm."""
    words = by_rules.get("amount_words", [])
    current = fields.get("total_amount")
    if not words or current is None or current.value == words[0].value:
        return
    # A figure whose digits are the words' digits is the same amount with its point lost or misread by OCR.
    confirmed = [c for c in totals if c.value == words[0].value] or [
        replace(c, value=words[0].value) for c in totals if amount_digits(c.text) == amount_digits(words[0].value)
    ]
    if confirmed:
        best = max(confirmed, key=lambda c: c.confidence)
        confidence = 1 - (1 - best.confidence) * (1 - words[0].confidence)
        fields["total_amount"] = ExtractedField(best.value, round(confidence, 4), page, best.box, best.text, "rules")
    elif current.source == "model":  # only the weaker layer read a figure, and the words contradict it
        del fields["total_amount"]  # the cross-checks fall back to the amount in words


def _add_up(items: tuple[LineItem, ...], total: ExtractedField | None, words: str | None) -> bool:
    """Charge lines are served only when they account for the page's total, as figure or in words (which they
    match and the figure does not when the figure was altered). A list OCR left short (a row lost under a seal,
    a misread amount) is not: the claim checks and the fraud score would read it as charges that do not add up."""
    summed = str(sum((Decimal(i.amount) for i in items), Decimal(0)))
    return summed in {total.value if total else None, words}


_PRINTED_FIGURE = re.compile(r"\d{1,3}(?:,\d{3})+\.\d{2}|\d+\.\d{2}")


def _total_from_charges(fields: dict[str, ExtractedField], charges: list[ChargeLine], words: str | None) -> None:
    """A total whose last digits OCR lost, given back by the rows' sum: "费用合计：15230" with "99" read apart,
    "13040.4", a seal over "28055.71" leaving "2805". A total that merely disagrees with its rows stays as read,
    for the checks to report (an altered figure looks the same)."""
    total = fields.get("total_amount")
    if total is None or total.value == words:
        return
    rows = str(sum((Decimal(c.item.amount) for c in charges), Decimal(0)))
    if rows == total.value:
        return
    # The words and the rows agree, and the figure is not one a printer prints ("74,904.1", "115.307516"): OCR
    # damaged it. A well-formed figure that disagrees stays, for the checks (and the fraud score) to see.
    damaged = rows == words and not _PRINTED_FIGURE.fullmatch(total.text.strip())
    # The cents lost, or more when a seal covers the figure's end ("费用合计：2805" for 28055.71) and enough digits
    # were read that the rows' sum starting with them is no coincidence.
    read, want = amount_digits(total.text), amount_digits(rows)
    lost = len(want) - len(read)
    if damaged or (want.startswith(read) and 1 <= lost <= (4 if len(read) >= 4 else 2)):
        fields["total_amount"] = replace(total, value=rows, confidence=round(total.confidence * 0.9, 4), source="rules")


def _line_items(names: list[Candidate], amounts: list[Candidate]) -> tuple[LineItem, ...]:
    """Pair each amount with the name on its row, to its left (charge grids print several pairs per row)."""
    items = []
    for amount in sorted(amounts, key=lambda c: (c.box[0][1], c.box[0][0])):
        ax, ay = amount.box[0]
        height = abs(amount.box[3][1] - amount.box[0][1]) or 1.0
        row = [n for n in names if abs(n.box[0][1] - ay) < 0.7 * height and n.box[0][0] < ax]
        if row:
            name = max(row, key=lambda n: n.box[0][0])
            items.append(LineItem(name.value, amount.value, amount.box))
    return tuple(items)


def _check(check_id: str, ok: bool | None, message: str, evidence: dict, **values: str) -> Check:
    status = CheckStatus.NOT_APPLICABLE if ok is None else (CheckStatus.PASSED if ok else CheckStatus.FAILED)
    return Check(check_id, status, message, ({**evidence, **values},))


def _cross_checks(
    fields: dict[str, ExtractedField], words: list[Candidate], account: Decimal | None, evidence: dict
) -> list[Check]:
    total_field = fields.get("total_amount")
    if total_field is None and words:
        # The figure was unreadable (a seal over it): the amount in words still gives the total.
        best = words[0]
        total_field = ExtractedField(
            best.value, round(best.confidence * 0.8, 4), evidence["page"], best.box, best.text, "rules"
        )
        fields["total_amount"] = total_field
    if total_field is None:
        return []
    total = Decimal(str(total_field.value))
    checks: list[tuple[Check, bool | None]] = []
    if words:
        same = Decimal(words[0].value) == total
        checks.append(
            (
                _check(
                    "amount_words_match_figure",
                    same,
                    "Amount in words equals the figure" if same else "Amount in words differs from the figure",
                    evidence,
                    words=words[0].value,
                    figure=str(total),
                ),
                same,
            )
        )
    items = fields.get("line_items")
    if items and isinstance(items.value, tuple) and len(items.value) >= 2:
        item_sum = sum((Decimal(i.amount) for i in items.value if isinstance(i, LineItem)), Decimal(0))
        ok = abs(item_sum - total) <= _TOLERANCE
        checks.append(
            (
                _check(
                    "line_items_sum_to_total",
                    ok,
                    f"Line items add up to {item_sum}",
                    evidence,
                    items_sum=str(item_sum),
                    total=str(total),
                ),
                ok,
            )
        )
    fund, cash = fields.get("insurance_fund_paid"), fields.get("personal_cash_paid")
    if fund and cash:
        # The personal account pays a share too (个人账户支付); where it was read it is part of the sum.
        paid = Decimal(str(fund.value)) + Decimal(str(cash.value)) + (account or Decimal(0))
        ok = abs(paid - total) <= _TOLERANCE
        parts = "Fund, personal account and cash add up to" if account is not None else "Fund plus personal cash is"
        checks.append(
            (
                _check(
                    "payments_sum_to_total",
                    ok,
                    f"{parts} {paid}",
                    evidence,
                    paid=str(paid),
                    total=str(total),
                ),
                ok,
            )
        )
    confidence = total_field.confidence
    for _, passed in checks:
        confidence = 1 - (1 - confidence) * 0.5 if passed else confidence * 0.7
    fields["total_amount"] = ExtractedField(
        total_field.value, round(confidence, 4), total_field.page, total_field.box, total_field.text, total_field.source
    )
    return [c for c, _ in checks]
