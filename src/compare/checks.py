"""What a build tells the user about its documents besides the tables: warnings a reader should
act on (printed by ``compare build``, kept in ``build_info.json``)."""

from __future__ import annotations

from typing import Any


def document_warnings(meta: list[dict[str, Any]]) -> list[str]:
    """One line per document a reader should look at: no measure found (a prose text, a wrong
    file) or a kind read from nothing in the text (no ``doc_type``, no title word, no 第X条
    numbering: it was taken for a plan)."""
    lines = []
    for m in meta:
        problems = []
        if not m.get("n_measures"):
            problems.append("no measures found")
        if m.get("kind_basis") == "default":
            problems.append(
                "kind not recognised (no doc_type, title word or 第X条 numbering; read as a plan)"
            )
        if problems:
            where = m.get("source_file") or m.get("source_path") or ""
            lines.append(f"{m['doc_id']} ({where}): " + "; ".join(problems))
    return lines
