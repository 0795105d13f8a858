"""Linking targets to the rest: the measure each target lies in (:func:`assign_measures`) and
the taxonomy indicator it reports on (:func:`map_indicators`)."""

from __future__ import annotations

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
    by_doc = {
        d: (g["char_start"].to_numpy(), g["char_end"].to_numpy(), g["measure_id"].to_numpy())
        for d, g in measures.groupby("doc_id", sort=False)
    }
    ids = []
    for doc_id, t_start, t_end in zip(
        out["doc_id"], out["char_start"], out["char_end"], strict=True
    ):
        found = ""
        if doc_id in by_doc:
            m_start, m_end, m_ids = by_doc[doc_id]
            for inside in (
                (m_start <= t_start) & (m_end >= t_end),
                (m_start <= t_start) & (m_end > t_start),
            ):
                if inside.any():
                    idx = np.flatnonzero(inside)
                    # innermost (narrowest) measure; ties go to the earliest start
                    best = idx[np.lexsort((m_start[idx], (m_end - m_start)[idx]))[0]]
                    found = m_ids[best]
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
