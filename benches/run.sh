#!/usr/bin/env bash
# Throughput and memory benchmark of `handoff audit` on a generated corpus (release build).
#
#   bash benches/run.sh [CONVERSATIONS] [THREADS]
#
# Generates CONVERSATIONS (default 1,000,000) synthetic conversations with
# sample-data/generate.py into /tmp (once per size), then audits them and reports wall time,
# MB/s, conversations/s and peak RSS (from /usr/bin/time). Figures go in docs/benchmark.md.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000000}"
threads="${2:-}"
corpus="/tmp/handoff-bench-$n.jsonl"
if [ ! -s "$corpus" ]; then
    echo "bench: generating $n conversations into $corpus"
    python3 sample-data/generate.py --conversations "$n" --out "$corpus" --no-truth --quiet
fi
cargo build --release --quiet
bin="${CARGO_TARGET_DIR:-target}/release/handoff"
args=(audit "$corpus" --quiet --format json --output /tmp/handoff-bench-report.json)
[ -n "$threads" ] && args+=(--threads "$threads")
bytes=$(stat -c %s "$corpus")
# Warm the page cache so the figure is the tool's, not the disk's.
cat "$corpus" > /dev/null
/usr/bin/time -f '%e %M' -o /tmp/handoff-bench-time "$bin" "${args[@]}"
read -r secs rss_kb < /tmp/handoff-bench-time
python3 - "$bytes" "$n" "$secs" "$rss_kb" <<'PY'
import sys
b, n, s, kb = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
print(f"input {b/1e6:.0f} MB, {n} conversations")
print(f"wall {s:.2f} s, {b/1e6/s:.0f} MB/s, {n/s:,.0f} conversations/s, peak RSS {kb/1024:.0f} MB")
PY
