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
# # 06 · How far can the alignment be trusted? Lexicon scorer vs learned model
#
# Every chart in notebooks 02–05 rests on each measure's place in the shared taxonomy. Two
# aligners share one scikit-learn interface: a transparent **lexicon** scorer driven by the
# taxonomy's seed terms, and a **learned** model (TF-IDF on jieba words and character n-grams,
# plus the lexicon scores, into a linear classifier) trained on the hand labels in
# `data/labels/measures.csv`. This notebook reports how well each agrees with the hand labels:
#
# - **cross-validation** on the labelled plans (5 stratified folds, and leave-one-plan-out);
# - the **held-out** set: the 12 speeches, labelled only after every model, lexicon and
#   dictionary was frozen (`data/labels/heldout.csv`), never used for tuning.
#
# Read the figures with care: the seed terms were written while reading the labelled plans, so
# cross-validated figures on those plans are optimistic (the lexicon has nothing to fit). The
# held-out figure is the honest one for texts nobody has seen.

# %%
from IPython.display import Markdown, display

from compare import align
from compare.build import load_tables

# %% tags=["parameters"]
build_dir = "../build"
corpus = "../data/corpus.yml"
figures_dir = "../figures"
langs = ["zh", "en"]

# %% [markdown]
# ## The figures side by side
#
# Macro-F1 (every class weighs the same, however rare) and accuracy, per method, level
# (category = the ten chapters of the 2021 纲要 plus 地方特色/其他; topic = ~40 topics) and
# evaluation.

# %%
summary = align.quality_summary()
display(summary)

# %% [markdown]
# ## Per category: the learned model on the held-out speeches
#
# Precision, recall and F1 per category, and the confusion matrix (rows: the hand label,
# columns: the model's choice). Where a category is confused, look at `secondary` in the
# `alignments` table: a measure spanning two chapters often carries the other one there.

# %%
held = align.evaluate_heldout(method="learned")
display(held["per_class"].round(3))
display(held["confusion"])

# %% [markdown]
# ## Per category: cross-validation on the labelled plans

# %%
cv = align.evaluate(align.load_labels(), method="learned", cv=5)
display(cv["per_class"].round(3))
display(cv["confusion"])

# %% [markdown]
# ## In this build
#
# How the current build's measures were aligned: `learned`, `lexicon` (the fallback when too few
# labels exist) or `override` (a researcher's correction in `data/labels/overrides.csv`, which
# always wins). To correct a measure, add a row there (`measure_id, category_id, topic_id,
# note`) and rebuild.

# %%
alignments = load_tables(build_dir)["alignments"]
display(alignments["method"].value_counts().rename("measures"))
display(Markdown(f"Mean score of the chosen category: {alignments['score'].mean():.2f}"))
