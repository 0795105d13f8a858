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
# # 05 · Explore: one topic across every jurisdiction
#
# How does each jurisdiction word the same commitment? Pick a topic to read its measures from
# every document side by side (oldest document on the left), with their numeric targets
# highlighted; pick one of those measures to see its closest counterparts in the other
# documents (`matches`) and the passages it shares word for word with them (`reuse`), each in
# its context. Open this notebook in JupyterLab to use the widgets; run headless, it shows the
# explorer's first view and the tables below. The same explorer without Jupyter, working
# offline: `reports/explorer.html` (written by `make report`; `compare explore` writes and opens it).

# %%
from IPython.display import HTML, Markdown, display

from compare import analysis, explore
from compare.notebook import open_build

# %% tags=["parameters"]
build_dir = "../build"
corpus = "../data/corpus.yml"
figures_dir = "../figures"
langs = ["zh", "en"]
topic_id = None  # a topic to print below; None: the topic most documents cover

# %%
built = open_build(build_dir, corpus, figures_dir, langs)
tables, texts, taxonomy = built.tables, built.texts, built.taxonomy
display(Markdown(f"{len(tables['documents'])} documents, {len(tables['measures'])} measures."))

# %% [markdown]
# ## The explorer

# %%
explorer = explore.build_explorer(tables, texts, taxonomy)
display(explorer)

# %% [markdown]
# ## The same look-ups without widgets
#
# For a static report: one topic (`topic_id`, by default the one the most documents cover) in
# every document, then its measure with the most counterparts and shared passages.

# %%
topic = topic_id or analysis.most_shared_topic(tables)
view = analysis.topic_view(tables, topic)
display(Markdown(f"Topic `{topic}`: {len(view)} measures in {view['doc_id'].nunique()} documents."))
display(HTML(explore.topic_html(view, tables["documents"])))

# %%
measure_id = analysis.example_measure(tables, topic)
if measure_id is None:
    display(Markdown("No measure is aligned to this topic."))
else:
    display(Markdown(f"Counterparts of `{measure_id}` (its topic's best-connected measure):"))
    display(analysis.measure_counterparts(tables, measure_id))
    display(Markdown(f"Passages of `{measure_id}` shared with other documents:"))
    display(analysis.shared_passages(tables, measure_id))
