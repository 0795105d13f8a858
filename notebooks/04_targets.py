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
built = open_build(
    build_dir, corpus, figures_dir, langs, sources=["data/targets.yml", "data/taxonomy.yml"]
)
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
# One cell per indicator and jurisdiction: the commitment in short form (`≥2 期/year`,
# `by 2023-12-31`); when a jurisdiction has several documents the latest wins, and `(n)` says
# how many commitments there were. Below the matrix, the long table with the quoted source.

# %%
side = analysis.side_by_side(found, documents)
display(analysis.target_matrix(side, documents))

# %%
display(analysis.label_ids(side, taxonomy))

# %% [markdown]
# ## Ranges per indicator
#
# For each indicator, each jurisdiction's targets as a range from the lowest to the highest
# value set (dots), with the median (diamond) and the number of targets; units are the
# indicator's, values are not converted.

# %%
ranges = analysis.target_ranges(found, documents, taxonomy.indicators, statuses=["target"])
if ranges.empty:
    display(Markdown("No target in this build is mapped to an indicator: no range chart."))
else:
    display(
        built.save(
            charts.plot_target_ranges,
            "04_target_ranges",
            ranges=ranges,
        )
    )
display(ranges)

# %% [markdown]
# ## Deadlines
#
# When the commitments fall due: per document, the year it was issued (black bar) and a bubble
# per deadline year, its area proportional to the number of targets due then.

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
