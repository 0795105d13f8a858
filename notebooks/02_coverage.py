# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-all
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 02 · Coverage: what each document spends its measures on
#
# Every numbered measure is aligned to one category and one topic of `data/taxonomy.yml` (the
# ten chapters of the national 2021–2025 纲要 plus local specialities). Which categories does each
# jurisdiction's document cover, and how much of it — counted in measures and in characters of
# text? Within a category, which topics? And what does each document take up that the others do
# not? Every document of the build is a column; nothing here names a document.

# %%
# %matplotlib inline
from IPython.display import Markdown, display

from compare import analysis, charts
from compare.notebook import open_build

# %% tags=["parameters"]
build_dir = "../build"
corpus = "../data/corpus.yml"
figures_dir = "../figures"
langs = ["zh", "en"]
drill_categories = None  # category ids to drill into; None: the three largest

# %%
built = open_build(build_dir, corpus, figures_dir, langs, texts=False)
tables, documents, taxonomy = built.tables, built["documents"], built.taxonomy
coverage_args = dict(
    alignments=tables["alignments"], measures=tables["measures"], documents=documents
)

# %% [markdown]
# ## Categories × documents, as a share of measures
#
# Each cell is the share of the document's measures whose primary alignment is that category;
# the last row, *unassigned*, holds the measures the aligner abstained on (too unsure to name a
# category), so a column sums to 100 %. `n` under each column is the number of measures counted
# (commitments); a column with fewer than `coverage.min_measures` (`data/figures.yml`) is hatched:
# a share of 2 measures says little. A document without measures shows `–`. Columns follow the
# manifest's order: reorder `data/corpus.yml` to reorder them.

# %%
by_measures = analysis.coverage(**coverage_args, level="category", taxonomy=taxonomy.categories)
n_measures = analysis.document_totals(by_measures)
built.save(
    charts.plot_coverage_heatmap,
    "02_coverage_heatmap",
    matrix=analysis.coverage_matrix(by_measures),
    documents=documents,
    categories=taxonomy.categories,
    totals=n_measures,
)

# %% [markdown]
# ## The same, as a share of text
#
# Weighting each measure by its length in characters: a category with few but long measures
# (detailed implementation rules) weighs more here than above.

# %%
by_chars = analysis.coverage(
    **coverage_args, level="category", weight="chars", taxonomy=taxonomy.categories
)
built.save(
    charts.plot_coverage_heatmap,
    "02_coverage_heatmap_chars",
    matrix=analysis.coverage_matrix(by_chars),
    documents=documents,
    categories=taxonomy.categories,
    totals=n_measures,
    per_lang={
        "zh": {"title": "各文件的类别分布（按措施字数加权）"},
        "en": {"title": "Where each document's text falls, by category (weighted by length)"},
    },
)

# %% [markdown]
# The counts behind both heatmaps (`n` measures or characters, of `total`):

# %%
display(analysis.label_ids(by_measures[by_measures["n"] > 0], taxonomy))

# %% [markdown]
# ## Drill-down to topics
#
# The topics holding the most measures (`coverage.top_topics` of `data/figures.yml`, so the
# chart fits a page) × documents, then the topics of the largest categories (or of
# `drill_categories`), where the colour is the topic's share of the document's measures *in that
# category*. The table under the drill-downs lists every topic.

# %%
topic_cov = analysis.coverage(**coverage_args, level="topic", taxonomy=taxonomy.topics)
top = analysis.top_topics(topic_cov, n=charts.figure_settings()["coverage"]["top_topics"])
n_topics = len([t for t in top if t != analysis.UNASSIGNED])
built.save(
    charts.plot_coverage_heatmap,
    "02_topic_heatmap",
    matrix=analysis.coverage_matrix(topic_cov)[top],
    documents=documents,
    categories=taxonomy.topics,
    totals=n_measures,
    per_lang={
        lang: {"title": charts.chart_string(lang, "t_topics_top", n=str(n_topics))}
        for lang in langs
    },
)

# %%
chosen = drill_categories or analysis.top_categories(by_measures, n=3)
display(Markdown("Drilling into: " + ", ".join(f"`{c}`" for c in chosen)))
for category_id in chosen:
    display(
        built.save(
            charts.plot_topic_drilldown,
            f"02_drilldown_{category_id}",
            breakdown=analysis.topic_breakdown(topic_cov, category_id),
            documents=documents,
            topics=taxonomy.topics,
            categories=taxonomy.categories,
        )
    )

# %% [markdown]
# ## What each document covers that the others do not
#
# For each document, the topics where its share exceeds the mean share of the other documents;
# `exclusive` topics are covered by no other document at all. The three most distinctive per
# document:

# %%
distinctive = analysis.distinctive_topics(topic_cov)
display(analysis.label_ids(distinctive[distinctive["rank"] <= 3], taxonomy))

# %% [markdown]
# Topics exclusive to one document (the explorer in `05_explore` shows any topic's measures
# from every document side by side):

# %%
exclusive = distinctive[distinctive["exclusive"]]
display(analysis.label_ids(exclusive, taxonomy)[["doc_id", "topic_id", "topic", "n", "share"]])

# %% [markdown]
# ## Which jurisdictions share measures or text
#
# For each jurisdiction (row), how many of its measures have a counterpart — a measure close
# enough in wording (`counterparts`, `status = counterpart`) — in another jurisdiction (column),
# and what share of its `n` measures that is; then how many characters of text passages
# (`reuse`) their documents share. Anonymous jurisdictions of the same name (某市) count as one.

# %%
shared = analysis.sharing(tables["counterparts"], tables["reuse"], documents)
display(built.save(charts.plot_sharing, "02_counterparts", table=shared))
built.save(charts.plot_sharing, "02_reuse", table=shared, value="passages")
display(shared)
