#!/usr/bin/env bash
# Reproduces docs/topics.md's figures in one command: topics discovered inside `handoff audit`
# (release build) scored against the labels of clinc150 (intent, domain), twitter-care
# without its brand and sample-data without its category, with scikit-learn's TF-IDF + KMeans
# (../shared/tools/topic_peer.py) beside them; with --speed, also the cost of discovery on
# 1,000,000 generated conversations against the same audit with the export's categories.
#
#   bash docs/topics/reproduce.sh [DATA_DIR] [--speed]
#
# DATA_DIR defaults to ../shared/data (beside the repository); needs python3 with
# scikit-learn. --speed generates the corpus into /tmp once (about 1.3 GB, a few minutes) and
# runs three interleaved pairs; the figures vary with the host's load, the ratio less.
set -euo pipefail
cd "$(dirname "$0")/../.."
data="../shared/data"
speed=false
for arg in "$@"; do
    case "$arg" in
        --speed) speed=true ;;
        *) data="$arg" ;;
    esac
done
if [ ! -d "$data/clinc150" ] || [ ! -d "$data/twitter-care" ]; then
    echo "topics: no labelled data in $data (clinc150/, twitter-care/): pass its folder" >&2
    exit 2
fi
peer="$(dirname "$data")/tools/topic_peer.py"
cargo build --release --quiet
bin="${CARGO_TARGET_DIR:-target}/release/handoff"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# A set without its `category` (what discovery must find again, DIR/NAME/NAME.jsonl) with
# its labels beside it (NAME.labels.jsonl), and the conversations that have one laid out as
# topic_peer.py reads them (peer/NAME/: the peer cannot score a missing label).
without_category() {
    local src="$1" name="$2"
    mkdir -p "$tmp/$name" "$tmp/peer/$name"
    python3 - "$src" "$tmp/$name/$name" "$tmp/peer/$name/$name" <<'PY'
import json, sys
src, ours, peer = sys.argv[1:]
with open(src) as f:
    convs = [json.loads(line) for line in f if line.strip()]
for path, keep in ((ours, convs), (peer, [c for c in convs if c.get("category")])):
    with open(path + ".jsonl", "w") as out, open(path + ".labels.jsonl", "w") as lab:
        for c in keep:
            lab.write(json.dumps({"id": c["id"], "category": c.get("category")}) + "\n")
            out.write(json.dumps({k: v for k, v in c.items() if k != "category"}) + "\n")
PY
}

# Discovery inside the audit, as a user without categories gets it; extra flags after DIR.
discover() {
    local jsonl="$1" out="$2"
    shift 2
    "$bin" audit "$jsonl" --categories discover --quiet --format json --findings "$out" "$@" \
        > /dev/null
}

echo "== handoff (topics discovered inside audit)"
discover "$data/clinc150/clinc150.jsonl" "$tmp/clinc.jsonl" --topics-k 40
echo -n "clinc150 intent, 40 topics (target NMI >= 0.55): "
python3 docs/topics/score.py "$tmp/clinc.jsonl" "$data/clinc150/clinc150.labels.jsonl" intent
echo -n "clinc150 domain, 40 topics: "
python3 docs/topics/score.py "$tmp/clinc.jsonl" "$data/clinc150/clinc150.labels.jsonl" domain
without_category "$data/twitter-care/twitter-care.jsonl" twitter-care
discover "$tmp/twitter-care/twitter-care.jsonl" "$tmp/tc.jsonl"
echo -n "twitter-care without brand, vs brand (target NMI >= 0.75): "
python3 docs/topics/score.py "$tmp/tc.jsonl" "$tmp/twitter-care/twitter-care.labels.jsonl" category
without_category sample-data/transcripts.jsonl sample-data
discover "$tmp/sample-data/sample-data.jsonl" "$tmp/sd.jsonl"
echo -n "sample-data without category, vs category (target purity >= 0.85): "
python3 docs/topics/score.py "$tmp/sd.jsonl" "$tmp/sample-data/sample-data.labels.jsonl" category

if [ -f "$peer" ]; then
    echo "== baseline: scikit-learn TF-IDF + KMeans / NMF on the customers' words ($peer)"
    python3 "$peer" "$data/clinc150" intent 20 40
    python3 "$peer" "$tmp/peer/twitter-care" category 10 25
    python3 "$peer" "$tmp/peer/sample-data" category 7 10 40
else
    echo "== baseline skipped: no $peer"
fi

if $speed; then
    corpus=/tmp/handoff-bench-1000000.jsonl
    nocat=/tmp/handoff-bench-1000000-nocat.jsonl
    if [ ! -s "$corpus" ]; then
        python3 sample-data/generate.py --conversations 1000000 --out "$corpus" --no-truth --quiet
    fi
    if [ ! -s "$nocat" ]; then
        sed 's/"category": "[^"]*", //' "$corpus" > "$nocat"
    fi
    cat "$corpus" "$nocat" > /dev/null
    times="$tmp/times"
    for _ in 1 2 3; do
        /usr/bin/time -f 'categories %e %U %S %M' -a -o "$times" \
            "$bin" audit "$corpus" --quiet --format json > /dev/null
        /usr/bin/time -f 'discovery %e %U %S %M' -a -o "$times" \
            "$bin" audit "$nocat" --quiet --format json > /dev/null
    done
    python3 - "$times" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    p = line.split()
    if len(p) == 5:
        runs.setdefault(p[0], []).append([float(x) for x in p[1:]])
med = {}
for name, rs in runs.items():
    wall = statistics.median(r[0] for r in rs)
    cpu = statistics.median(r[1] + r[2] for r in rs)
    med[name] = (wall, cpu)
    print(f"1M {name}: wall {wall:.2f} s, CPU {cpu:.2f} s, peak RSS {max(r[3] for r in rs)/1024:.0f} MB")
c, d = med["categories"], med["discovery"]
print(f"discovery / categories (target <= 1.3x): wall {d[0]/c[0]:.2f}x, CPU {d[1]/c[1]:.2f}x")
PY
fi
