"""Linking targets to the rest: the measure each target lies in (:func:`assign_measures`), the
taxonomy indicator it reports on (:func:`map_indicators`) and its reading in that indicator's
unit (:func:`indicator_reading`: 每2年清理一次 is a cycle of 2 年)."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd

from compare.errors import CompareError
from compare.targets.vocabulary import Vocabulary, load_vocabulary


def assign_measures(targets: pd.DataFrame, measures: pd.DataFrame) -> pd.DataFrame:
    """Fill ``measure_id`` with the innermost measure of the same document containing the
    target's span (or, failing that, its start); empty when none does."""
    out = targets.copy()
    need = {"doc_id", "measure_id", "char_start", "char_end"}
    if not need <= set(measures.columns):
        raise CompareError(
            f"measures table lacks {', '.join(sorted(need - set(measures.columns)))}"
        )
    # each document's measures are one run of the measures sorted (stably) by document
    m_doc = measures["doc_id"].astype(str).to_numpy()
    order = np.argsort(m_doc, kind="stable")
    m_doc = m_doc[order]
    m_start = measures["char_start"].to_numpy()[order]
    m_end = measures["char_end"].to_numpy()[order]
    m_ids = measures["measure_id"].to_numpy()[order]
    t_doc = out["doc_id"].astype(str).to_numpy()
    lo = np.searchsorted(m_doc, t_doc, side="left")
    hi = np.searchsorted(m_doc, t_doc, side="right")
    ids = []
    for a, b, t_start, t_end in zip(
        lo.tolist(), hi.tolist(), out["char_start"].tolist(), out["char_end"].tolist(), strict=True
    ):
        found = ""
        starts, ends = m_start[a:b], m_end[a:b]
        for inside in (
            (starts <= t_start) & (ends >= t_end),
            (starts <= t_start) & (ends > t_start),
        ):
            if inside.any():
                idx = np.flatnonzero(inside)
                # innermost (narrowest) measure; ties go to the earliest start
                best = idx[np.lexsort((starts[idx], (ends - starts)[idx]))[0]]
                found = m_ids[a + best]
                break
        ids.append(found)
    out["measure_id"] = ids
    return out


def _unit_fits(ind_unit: str, row: Any, vocab: Vocabulary) -> bool:
    """Whether a target can carry an indicator of ``ind_unit``: same unit (人 = 名); any
    deadline; a time-unit indicator (a cycle, a period) for a duration or a per-period count."""
    if not ind_unit or ind_unit == row.unit or row.kind == "deadline":
        return True
    if any({ind_unit, row.unit} <= same for same in vocab.same_units):
        return True
    return ind_unit in vocab.time_units and (row.kind == "duration" or bool(row.per))


def map_indicators(
    targets: pd.DataFrame, indicators: pd.DataFrame, vocab: Vocabulary | None = None
) -> pd.DataFrame:
    """Fill ``indicator`` with the indicator whose longest term occurs in the target's quote or
    subject and whose unit fits (:func:`_unit_fits`); on equal term length an exact unit match
    wins, then the earlier indicator. ``indicators`` has ``id`` (or ``indicator_id``), ``unit``
    and ``terms`` (a list of strings). Units that fit come from ``vocab`` (default:
    ``data/targets.yml``)."""
    vocab = vocab or load_vocabulary()
    id_col = "id" if "id" in indicators.columns else "indicator_id"
    if id_col not in indicators.columns or "terms" not in indicators.columns:
        raise CompareError("indicators need columns id (or indicator_id) and terms")
    specs = []
    for ind in indicators.to_dict("records"):
        terms = ind["terms"]
        terms = [terms] if isinstance(terms, str) else list(terms)
        unit = ind.get("unit")
        unit = "" if unit is None or pd.isna(unit) else str(unit)
        specs.append((str(ind[id_col]), unit, [str(t) for t in terms if str(t)]))
    out = targets.copy()
    chosen = []
    for row in out.itertuples(index=False):
        hay = f"{row.quote} {row.subject}"
        best, best_key = "", (0, False)
        for ind_id, unit, terms in specs:
            if not _unit_fits(unit, row, vocab):
                continue
            longest = max((len(t) for t in terms if t in hay), default=0)
            key = (longest, unit == row.unit)
            if longest and key > best_key:
                best, best_key = ind_id, key
        chosen.append(best)
    out["indicator"] = chosen
    return out


_N_PERIOD_RE = re.compile(r"(?P<n>\d+)-(?P<period>[a-z-]+)")


def period_years(per: str, vocab: Vocabulary) -> float | None:
    """Length in years of a ``per`` period (``year`` 1, ``quarter`` 0.25, ``2-year`` 2), from
    ``period_years`` in data/targets.yml; ``None`` for an unknown or empty period."""
    table = vocab.get("period_years", {})
    m = _N_PERIOD_RE.fullmatch(per or "")
    if m:
        one = table.get(m.group("period"))
        return None if one is None else int(m.group("n")) * float(one)
    one = table.get(per or "")
    return None if one is None else float(one)


def indicator_reading(
    value: float, value_max: float, unit: str, per: str, indicator_unit: str, vocab: Vocabulary
) -> tuple[float, float]:
    """A target's low and high value in its indicator's unit. A count per period read against an
    indicator in a time unit (``unit_years``) is a cycle: 每2年清理一次 (1 次 per 2-year) is
    2 年, 每年2次 is 0.5 年; every other target reads as written (value, value_max or value)."""
    high = value if value_max is None or math.isnan(value_max) else value_max
    unit_len = vocab.get("unit_years", {}).get(indicator_unit)
    span = period_years(per, vocab)
    if unit_len is None or span is None or unit in vocab.time_units or not value > 0:
        return min(value, high), max(value, high)
    cycle = [span / count / float(unit_len) for count in (value, high) if count > 0]
    return min(cycle), max(cycle)
