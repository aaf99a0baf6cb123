#!/usr/bin/env python3
"""Refit and bound the inferred-dissatisfaction model (docs/accuracy.md).

    cargo run --release --example eval -- ../shared/data --dump-turns /tmp/turns.jsonl
    python3 docs/accuracy.py fit /tmp/turns.jsonl
    python3 docs/accuracy.py ceiling ../shared/data /tmp/turns.jsonl

`fit` fits the per-turn logistic weights on both USS sets together (the shipped defaults)
and, to report honest figures, the same recipe on each set alone scored on the other.
`ceiling` asks how far a far richer per-turn text model gets on these labels: every word
and word pair of the customer turn and of the bot message it answers, plus handoff's
signals, cross-validated inside each set (so it is even allowed the set's own vocabulary).

Needs numpy and scikit-learn (`pip install numpy scikit-learn`). Not part of the build or
the tests; the data stays outside the repository.
"""
import json
import re
import sys
from collections import defaultdict

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

C = 0.1  # L2 strength: the signals are few and the dissatisfied turns rare (~1%)
LOW = 2.0  # a turn is dissatisfied when its mean rating is <= 2, as in the labels


def conversation_auc(p, rows):
    """AUC of 1 - prod(1 - p_turn) (the shipped aggregation) against `dissatisfied`."""
    keep, label = defaultdict(lambda: 1.0), {}
    for pi, r in zip(p, rows):
        keep[r["id"]] *= 1 - pi
        label[r["id"]] = r["dissatisfied"]
    ids = sorted(label)
    return roc_auc_score([label[i] for i in ids], [1 - keep[i] for i in ids])


def fit(path):
    rows = [json.loads(l) for l in open(path)]
    names = list(rows[0]["signals"])
    sets = sorted({r["set"] for r in rows})
    X = {s: np.array([[r["signals"][n] for n in names] for r in rows if r["set"] == s]) for s in sets}
    y = {s: np.array([r["rating"] <= LOW for r in rows if r["set"] == s]) for s in sets}
    part = {s: [r for r in rows if r["set"] == s] for s in sets}

    def model(train):
        Xt = np.vstack([X[s] for s in train])
        yt = np.concatenate([y[s] for s in train])
        return LogisticRegression(C=C, max_iter=5000).fit(Xt, yt)

    print("held out (fitted on the other set only):")
    for test in sets:
        train = [s for s in sets if s != test]
        m = model(train)
        p = m.predict_proba(X[test])[:, 1]
        print(f"  {test}: conversation AUC {conversation_auc(p, part[test]):.3f}"
              f"  (turn AUC {roc_auc_score(y[test], p):.3f}; fitted on {', '.join(train)})")
    m = model(sets)
    print("fitted on all sets (the shipped defaults):")
    for s in sets:
        p = m.predict_proba(X[s])[:, 1]
        print(f"  {s}: conversation AUC {conversation_auc(p, part[s]):.3f}")
    print("\n[detect.dissatisfaction]")
    print(f"intercept = {m.intercept_[0]:.2f}")
    for n, w in zip(names, m.coef_[0]):
        print(f"{n} = {w:.2f}")


def ceiling(data, turns):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.model_selection import GroupKFold
    import scipy.sparse as sp

    def norm(t):
        return " ".join(re.sub(r"[^a-z0-9 ]", " ", t.lower().replace("'", "")).split())

    signals = {}
    for line in open(turns):
        r = json.loads(line)
        signals[(r["id"], r["turn"])] = [r["signals"][n] for n in sorted(r["signals"])]
    for name in ("uss-sgd", "uss-mwoz"):
        convs = {}
        for line in open(f"{data}/{name}/{name}.jsonl"):
            c = json.loads(line)
            convs[c["id"]] = c
        texts, low, group, rows, F = [], [], [], [], []
        for g, line in enumerate(open(f"{data}/{name}/{name}.labels.jsonl")):
            label = json.loads(line)
            prev = ""
            turn = 0
            for m in convs[label["id"]]["messages"]:
                if m["role"] != "customer":
                    prev = norm(m["text"])
                    continue
                rating = label["turn_satisfaction"][turn]
                F.append(signals[(label["id"], turn)])
                turn += 1
                # The customer's words and the bot message they answer, kept apart.
                texts.append(norm(m["text"]) + " " + " ".join("B_" + w for w in prev.split()))
                low.append(rating is not None and rating <= LOW)
                group.append(g)
                rows.append({"id": label["id"], "dissatisfied": label["dissatisfied"]})
        low, F = np.array(low), sp.csr_matrix(np.array(F))
        p = np.zeros(len(low))
        for train, test in GroupKFold(5).split(texts, low, group):
            v = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
            Xtr = sp.hstack([v.fit_transform([texts[i] for i in train]), F[train]]).tocsr()
            Xte = sp.hstack([v.transform([texts[i] for i in test]), F[test]]).tocsr()
            m = LogisticRegression(C=1, max_iter=5000).fit(Xtr, low[train])
            p[test] = m.predict_proba(Xte)[:, 1]
        print(f"{name}: words + signals turn model, 5-fold CV inside the set: turn AUC "
              f"{roc_auc_score(low, p):.3f}, conversation AUC {conversation_auc(p, rows):.3f}")
        # The raters' general level on a dialogue predicts the label well (eval prints
        # "ceiling"); can the dialogue's words predict that level?
        from sklearn.linear_model import Ridge
        from sklearn.metrics import r2_score
        from sklearn.model_selection import cross_val_predict
        docs, level = [], []
        for line in open(f"{data}/{name}/{name}.labels.jsonl"):
            label = json.loads(line)
            msgs = convs[label["id"]]["messages"]
            docs.append(" ".join(("C_" if m["role"] == "customer" else "B_") + w
                                 for m in msgs for w in norm(m["text"]).split()))
            level.append(np.mean([r for r in label["turn_satisfaction"] if r is not None]))
        D = TfidfVectorizer(min_df=3, sublinear_tf=True).fit_transform(docs)
        pred = cross_val_predict(Ridge(alpha=3), D, level, cv=5)
        print(f"{name}: the dialogue's mean rating from its words, 5-fold CV: R² {r2_score(level, pred):.3f}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["fit"] and len(sys.argv) == 3:
        fit(sys.argv[2])
    elif sys.argv[1:2] == ["ceiling"] and len(sys.argv) == 4:
        ceiling(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
