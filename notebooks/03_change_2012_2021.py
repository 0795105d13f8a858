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
# # 03 · Change over time: 2012 → 2021
#
# How did local 法治政府建设 plans change between an earlier and a later document? The pair comes
# from the manifest's `compare:` entry (`earlier`, `later`, optional `midpoint`: document ids;
# the seed corpus compares Yixing's 2012 opinions with Nanjing's 2021–2025 implementation plan,
# Caoxian's 2016–2020 outline as the midpoint). A manifest without one compares its earliest and
# latest plans. We look at how the categories' shares moved, which topics appear or vanish,
# which words each text over-uses against the other, and how the wording and the numbers of
# matching measures changed. Set `doc_a`, `doc_mid` and `doc_b` to compare other documents.

# %%
# %matplotlib inline

from IPython.display import HTML, Markdown, display

from compare import analysis, charts, explore
from compare.manifest import manifest_comparison
from compare.notebook import open_build
from compare.tokenize import tokenize

# %% tags=["parameters"]
build_dir = "../build"
corpus = "../data/corpus.yml"
figures_dir = "../figures"
langs = ["zh", "en"]
doc_a = None  # the earlier document (None: the manifest's compare: entry, or the earliest plan)
doc_mid = None  # a midpoint (None: the manifest's, or the plan nearest the middle)
doc_b = None  # the later document (None: the manifest's, or the latest plan)
n_pairs = 15  # aligned measure pairs to show

# %%
built = open_build(build_dir, corpus, figures_dir, langs)
tables, texts, taxonomy = built.tables, built.texts, built.taxonomy
documents = tables["documents"]

chosen = manifest_comparison(corpus)
doc_a, doc_b, doc_mid, notes = analysis.comparison_documents(
    documents,
    doc_a or chosen.get("earlier"),
    doc_b or chosen.get("later"),
    doc_mid or chosen.get("midpoint"),
)
for note in notes:
    display(Markdown(f"**Note:** {note}"))
names = {lang: analysis.document_labels(documents, lang) for lang in ("zh", "en")}
built.source_docs = [d for d in (doc_a, doc_mid, doc_b) if d]
display(Markdown(" → ".join(f"**{names['zh'][d]}** (`{d}`)" for d in (doc_a, doc_mid, doc_b) if d)))
display(analysis.corpus_overview(documents[documents["doc_id"].isin([doc_a, doc_mid, doc_b])]))

# %% [markdown]
# ## Category shares side by side
#
# Each row is a category: the earlier document's share of measures, the later one's, and the
# midpoint as a grey diamond; the change in percentage points is at the right, the largest
# increase on top.

# %%
cov = analysis.coverage(
    tables["alignments"],
    tables["measures"],
    documents,
    level="category",
    taxonomy=taxonomy.categories,
)
shift = analysis.category_shift(cov, doc_a, doc_b, doc_mid)
built.save(
    charts.plot_category_shift,
    "03_category_shift",
    shift=shift,
    documents=documents,
    categories=taxonomy.categories,
)

# %%
display(analysis.label_ids(shift, taxonomy))

# %% [markdown]
# ## Topics that appear or vanish
#
# `new`: topics the later document covers and the earlier one does not; `dropped`: the reverse.
# `n_a` and `n_b` count the measures in each.

# %%
topic_cov = analysis.coverage(
    tables["alignments"], tables["measures"], documents, level="topic", taxonomy=taxonomy.topics
)
display(analysis.label_ids(analysis.topic_presence_change(topic_cov, doc_a, doc_b), taxonomy))

# %% [markdown]
# ## Words each document over-uses: keyness
#
# Dunning's log-likelihood G² (signed: positive where the later document uses the term
# relatively more) and Hardie's log-ratio (binary log of the ratio of relative frequencies) on
# the clean texts, tokenised with jieba and the project dictionary, stopwords removed. Terms
# with fewer than three occurrences in both texts together are left out, and so are place names
# (`data/lexicon/places.txt`) and the documents' own jurisdictions: a plan naming its own city
# says nothing about its policy. In the English chart the terms stay in Chinese.

# %%
skip = analysis.keyness_exclusions(documents)
key = analysis.keyness(
    [tokenize(texts[doc_b])], [tokenize(texts[doc_a])], min_count=3, exclude=skip
)
built.save(
    charts.plot_keyness,
    "03_keyness",
    keyness_table=key,
    n=15,
    documents=documents,
    target_id=doc_b,
    reference_id=doc_a,
)

# %%
display(key.head(20))
display(key.tail(20))

# %% [markdown]
# ## Matching measures: how wording and numbers changed
#
# Measures of the two documents paired one-to-one by text similarity (cosine of character
# n-gram TF-IDF, best first). Characters only the earlier text has are struck in red, those
# only the later one has are green; under each text, its numeric targets.

# %%
pairs = analysis.aligned_pairs(tables["matches"], tables["measures"], doc_a, doc_b)
display(Markdown(f"{len(pairs)} aligned pairs; the {min(n_pairs, len(pairs))} closest:"))
display(
    HTML(
        explore.pairs_html(
            pairs, tables["targets"], names["zh"][doc_a], names["zh"][doc_b], n=n_pairs
        )
    )
)
