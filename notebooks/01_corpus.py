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
# # 01 · The corpus: what documents we have
#
# Which documents does this build hold, from which jurisdictions and administrative levels, of
# which types, issued when, and how large are they? And what did cleaning take out of the source
# files or flag for a reader to check? Everything below is read from the built tables, so a
# document added to the manifest appears here after `compare build` with no change to this
# notebook.

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

# %%
built = open_build(build_dir, corpus, figures_dir, langs, texts=False)
tables, documents = built.tables, built["documents"]
display(Markdown(f"Build `{build_dir}` of {built.data_date}: **{len(documents)} documents**."))

# %% [markdown]
# ## Documents by jurisdiction, level, type and year
#
# One row per document, oldest first. A document whose text does not state its year (the
# anonymised plan, the speeches) has no `year` but bounds `year_min`–`year_max` inferred from the
# events it cites; `period_*` is the plan period where the document names one.

# %%
overview = analysis.corpus_overview(documents)
display(overview)

# %% [markdown]
# The timeline puts each document at its year (coloured by level), shades its plan period and,
# for an undated document, draws the inferred range as a dashed line.

# %%
built.save(
    charts.plot_corpus_timeline,
    "01_corpus_timeline",
    overview=overview,
)

# %% [markdown]
# ## Sizes by level and document type
#
# How many documents, characters and numbered measures each administrative level contributes,
# split by document type. Set characters against measures: a speech can be long and still hold few
# numbered measures, which matters for every share computed in the next notebooks.

# %%
counts = analysis.corpus_counts(documents)
display(counts)

# %%
built.save(
    charts.plot_documents_overview,
    "01_corpus_overview",
    counts=counts,
)

# %% [markdown]
# ## Dates the texts contradict
#
# The manifest's date is kept, never silently replaced; where the text disagrees (a signature
# date unlike the header's, a cited event after the stated year), `date_flags` says so.

# %%
display(
    documents.loc[
        documents["date_flags"].fillna("") != "", ["doc_id", "year", "date", "date_flags"]
    ]
)

# %% [markdown]
# ## What cleaning removed and flagged
#
# Cleaning removes web-page furniture and boilerplate (`remove`), normalises characters
# (`replace`) and marks passages that stay in the text but deserve a look (`flag`). Counts are
# log rows and characters of the original text, per document and reason; every pattern and its
# reason is listed in `data/cleaning.yml`.

# %%
cleaning = analysis.cleaning_summary(tables["cleaning_log"])
display(cleaning)

# %% [markdown]
# The chart gathers the reasons into the groups of `cleaning_groups` in `data/figures.yml`
# (named in Chinese and English in `data/i18n.yml`); the table above keeps every reason.

# %%
groups = [(g["id"], g["match"]) for g in charts.cleaning_groups()]
built.save(
    charts.plot_cleaning_summary,
    "01_cleaning_summary",
    summary=analysis.group_cleaning_reasons(cleaning, groups),
    documents=documents,
)

# %% [markdown]
# The flagged passages themselves (kept in the clean text), for a reader to check:

# %%
log = tables["cleaning_log"]
display(log.loc[log["action"] == "flag", ["doc_id", "char_start", "original", "reason"]])
