"""Comparisons computed from the pipeline's tables (the ``textstat_*`` half; ``charts`` draws them).

Every function is pure: it takes tables (DataFrames following ``docs/design.md``) and returns a
new DataFrame (or a small value); nothing is drawn or written here, except that
:func:`export_side_by_side` hands its tables to :mod:`compare.io`. Chart functions in
:mod:`compare.charts` and the explorer take these results as they are and never recompute them.

- :mod:`.documents`: display labels (:func:`label_table`, the one rule), document order,
  corpus overview, what cleaning did;
- :mod:`.coverage`: :func:`primary_alignments` (the one rule), coverage by category or topic;
- :mod:`.change`: category shift, topics appearing or vanishing, keyness, aligned pairs;
- :mod:`.targets`: side by side, :func:`target_matrix` (the one indicator × jurisdiction
  matrix), ranges and deadlines;
- :mod:`.comparison`: the targets comparison matrix (figure, dot plot and Excel agree);
- :mod:`.lookups`: one topic's measures everywhere, a measure's counterparts and passages.
"""

from __future__ import annotations

from compare.analysis.change import (
    aligned_pairs,
    category_shift,
    keyness,
    keyness_exclusions,
    topic_presence_change,
)
from compare.analysis.comparison import (
    CELL_COLUMNS,
    comparison_cells,
    comparison_matrix,
    reading,
    target_words,
)
from compare.analysis.coverage import (
    UNASSIGNED,
    coverage,
    coverage_matrix,
    distinctive_topics,
    document_totals,
    primary_alignments,
    top_categories,
    top_topics,
    topic_breakdown,
)
from compare.analysis.documents import (
    LEVEL_ORDER,
    cleaning_summary,
    comparison_documents,
    corpus_counts,
    corpus_overview,
    document_labels,
    document_order,
    group_cleaning_reasons,
    label_table,
    pick_documents,
)
from compare.analysis.lookups import (
    COUNTERPART_COLUMNS,
    PASSAGE_COLUMNS,
    SHARING_COLUMNS,
    TOPIC_VIEW_COLUMNS,
    example_measure,
    label_ids,
    measure_counterparts,
    most_shared_topic,
    shared_passages,
    sharing,
    topic_view,
)
from compare.analysis.targets import (
    SIDE_COLUMNS,
    deadline_timeline,
    describe_target,
    export_side_by_side,
    side_by_side,
    target_matrix,
    target_ranges,
)

__all__ = [
    "CELL_COLUMNS",
    "COUNTERPART_COLUMNS",
    "LEVEL_ORDER",
    "PASSAGE_COLUMNS",
    "SHARING_COLUMNS",
    "SIDE_COLUMNS",
    "TOPIC_VIEW_COLUMNS",
    "UNASSIGNED",
    "aligned_pairs",
    "category_shift",
    "cleaning_summary",
    "comparison_cells",
    "comparison_documents",
    "comparison_matrix",
    "corpus_counts",
    "corpus_overview",
    "coverage",
    "coverage_matrix",
    "deadline_timeline",
    "describe_target",
    "distinctive_topics",
    "document_labels",
    "document_order",
    "document_totals",
    "example_measure",
    "export_side_by_side",
    "group_cleaning_reasons",
    "keyness",
    "keyness_exclusions",
    "label_ids",
    "label_table",
    "measure_counterparts",
    "most_shared_topic",
    "pick_documents",
    "primary_alignments",
    "reading",
    "shared_passages",
    "sharing",
    "side_by_side",
    "target_matrix",
    "target_ranges",
    "target_words",
    "top_categories",
    "top_topics",
    "topic_breakdown",
    "topic_presence_change",
    "topic_view",
]
