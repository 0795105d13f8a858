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
# # 04 · Numeric targets: what each jurisdiction commits to, and by when
#
# Plans commit to numbers: training hours per enforcement officer, law lectures per year, a
# ceiling on the rate of lost lawsuits, deadlines. `compare.targets` finds these commitments in
# the clean text (each row quotes its source) and maps them to harmonised indicators of
# `data/taxonomy.yml`. Which jurisdiction sets which target, how high, and by when?

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
built = open_build(build_dir, corpus, figures_dir, langs)
documents, found, taxonomy = built["documents"], built["targets"], built.taxonomy
display(
    Markdown(
        f"{len(found)} numeric expressions found; "
        f"{int((found['indicator'].fillna('') != '').sum())} mapped to an indicator."
    )
)
display(found["status"].value_counts())

# %% [markdown]
# ## Indicator × jurisdiction
#
# One row per indicator, one column per jurisdiction: the commitment written out with its unit
# and period (`≥60 学时/年`, `每2年1次`), blank where a jurisdiction sets none. Indicators that
# two or more jurisdictions set come first, on grey. Only rows with status `target` count
# (achievements and baselines stay out); when a jurisdiction sets an indicator several times, a
# value wins over a bare deadline, then its latest document. `reports/targets_matrix.xlsx`
# holds the same cells.

# %%
cells = analysis.comparison_cells(found, documents, taxonomy.indicators)
if cells.empty:
    display(Markdown("No target in this build is mapped to an indicator: no matrix."))
else:
    display(
        built.save(
            charts.plot_target_matrix,
            "04_target_matrix",
            cells=cells,
            documents=documents,
            source_docs=cells["doc_id"],
        )
    )
display(analysis.comparison_matrix(cells, "zh"))

# %% [markdown]
# ## Where two or more jurisdictions set the same indicator
#
# Each panel is one indicator set with a value by at least two jurisdictions; the dot is the
# target on a common scale (per year where the text gives a period: 每季度1次 is 4 per year),
# the label the commitment as written.

# %%
shared = cells[cells["annual"].notna()]
shared = shared[shared.groupby("indicator")["jurisdiction"].transform("nunique") >= 2]
if shared.empty:
    display(Markdown("No indicator is set with a value by two or more jurisdictions: no dots."))
else:
    display(
        built.save(
            charts.plot_target_dots,
            "04_target_dots",
            cells=cells,
            documents=documents,
            source_docs=shared["doc_id"],
        )
    )
display(shared.drop(columns=["row", "col"]))

# %% [markdown]
# ## Deadlines
#
# When the commitments fall due: per document, the year it was issued (black bar; a year only
# inferred from the text is a dashed range with hollow ends) and a bubble per deadline year, its
# area proportional to the number of targets due then. The source lines of these charts name
# only the documents they draw.

# %%
timeline = analysis.deadline_timeline(found, documents)
if timeline.empty:
    display(Markdown("No target in this build has a deadline: no timeline."))
else:
    display(
        built.save(
            charts.plot_deadline_timeline,
            "04_deadline_timeline",
            timeline=timeline,
            documents=documents,
            source_docs=timeline["doc_id"],
        )
    )
display(timeline)

# %% [markdown]
# ## Reported results
#
# Numbers that report what was done (`achievement`: 8 regulations issued, …) rather than commit
# to something; they are kept apart from the targets above.

# %%
display(found.loc[found["status"] != "target", ["doc_id", "quote", "value", "unit", "status"]])
