"""compare.notebook: open_build replaces the notebooks' set-up cell."""

from __future__ import annotations

from pathlib import Path

from compare import analysis, charts
from compare.build import TABLES, BuildResult
from compare.notebook import open_build


def test_open_build_hands_over_tables_texts_taxonomy_and_date(
    seed_build: tuple[BuildResult, Path], tmp_path: Path
) -> None:
    result, out = seed_build
    built = open_build(out, "corpus.yml", tmp_path / "figures", ["en"], sources=["taxonomy.yml"])
    assert set(built.tables) == set(TABLES) and built["documents"].equals(built.tables["documents"])
    assert built.texts == result.texts
    assert built.taxonomy is not None and "C04_decisions" in built.taxonomy.category_ids
    assert built.data_date == "2026-11-25"  # the manifest's data_date, never the clock
    assert built.chart_args == {"sources": ["taxonomy.yml"], "data_date": built.data_date}
    zh, en = built.source_line("zh"), built.source_line("en")
    assert "宜兴市人民政府 意见（2012）" in zh and zh[-1] == "taxonomy.yml"
    assert "Yixing, Opinions (2012)" in en
    assert not any("corpus.yml" in s for s in zh + en)  # documents, not config files
    built.source_docs = ["yixing-2012"]
    assert built.source_line("zh") == ["宜兴市人民政府 意见（2012）", "taxonomy.yml"]
    built.source_docs = None
    drawn = built.source_line("en", doc_ids=["nanjing-2021", "yixing-2012"])  # a chart's subset
    assert drawn[0].startswith("Yixing, Opinions (2012)") and drawn[1].startswith("Nanjing")
    assert len(drawn) == 3 and not any("Caoxian" in s for s in drawn)
    counts = analysis.corpus_counts(built["documents"])
    fig = built.save(charts.plot_documents_overview, "overview", counts=counts)
    assert fig is not None
    assert sorted(p.name for p in (tmp_path / "figures").iterdir()) == [
        "overview_en.pdf", "overview_en.png", "overview_en.svg",
    ]  # fmt: skip
