#!/usr/bin/env python3
"""NMI and purity of `handoff audit --findings` categories against labels.
usage: score.py FINDINGS.jsonl LABELS.jsonl|- LABEL_KEY [TRANSCRIPTS.jsonl]
With LABELS '-', the label is the transcripts' own `category` field (twitter-care, sample-data)."""
import json, sys
from collections import Counter
from sklearn.metrics import normalized_mutual_info_score as nmi
found = {j["id"]: j["category"] for j in map(json.loads, open(sys.argv[1]))}
if sys.argv[2] == "-":
    lab = {j["id"]: j.get("category") for j in map(json.loads, open(sys.argv[4]))}
else:
    lab = {j["id"]: j[sys.argv[3]] for j in map(json.loads, open(sys.argv[2]))}
ids = [i for i in found if lab.get(i) is not None]
y = [lab[i] for i in ids]; z = [found[i] for i in ids]
by = {}
for a, b in zip(y, z): by.setdefault(b, Counter())[a] += 1
purity = sum(c.most_common(1)[0][1] for c in by.values()) / len(y)
print(f"n={len(ids)} topics={len(set(z))} NMI {nmi(y, z):.3f} purity {purity:.3f} other {z.count('other')}")
