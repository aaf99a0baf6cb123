#!/usr/bin/env bash
# Throughput and memory benchmark of `handoff audit` on a generated corpus (release build),
# against the parse floor (examples/parse_floor.rs: serde_json into borrowed structs on
# rayon, every message text touched, no detection).
#
#   bash benches/run.sh [CONVERSATIONS] [THREADS] [PAIRS]
#
# Generates CONVERSATIONS (default 1,000,000) synthetic conversations with
# sample-data/generate.py into /tmp (once per size), then runs the audit and the floor
# alternately PAIRS times (default 5; interleaved, so a change in the shared host's speed hits
# both alike) and prints, for each, the median wall time, CPU time (user + system), MB/s,
# conversations/s and peak RSS, then the audit/floor ratios. Figures go in docs/benchmark.md.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000000}"
threads="${2:-}"
pairs="${3:-5}"
corpus="/tmp/handoff-bench-$n.jsonl"
if [ ! -s "$corpus" ]; then
    echo "bench: generating $n conversations into $corpus"
    python3 sample-data/generate.py --conversations "$n" --out "$corpus" --no-truth --quiet
fi
cargo build --release --quiet
cargo build --release --quiet --example parse_floor
target="${CARGO_TARGET_DIR:-target}"
bin="$target/release/handoff"
floor="$target/release/examples/parse_floor"
args=(audit "$corpus" --quiet --format json --output /tmp/handoff-bench-report.json)
floor_args=("$corpus")
if [ -n "$threads" ]; then
    args+=(--threads "$threads")
    floor_args+=("$threads")
fi
bytes=$(stat -L -c %s "$corpus")
# Warm the page cache so the figure is the tool's, not the disk's.
cat "$corpus" > /dev/null
times=/tmp/handoff-bench-times
: > "$times"
for ((i = 1; i <= pairs; i++)); do
    /usr/bin/time -f 'audit %e %U %S %M' -a -o "$times" "$bin" "${args[@]}"
    /usr/bin/time -f 'floor %e %U %S %M' -a -o "$times" "$floor" "${floor_args[@]}" > /dev/null
done
python3 - "$bytes" "$n" "$times" <<'PY'
import statistics, sys
b, n, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
runs = {"audit": [], "floor": []}
for line in open(path):
    parts = line.split()
    if len(parts) == 5 and parts[0] in runs:
        runs[parts[0]].append(tuple(float(x) for x in parts[1:]))
print(f"input {b/1e6:.0f} MB, {n} conversations, {len(runs['audit'])} interleaved pairs")
med = {}
for name, rs in runs.items():
    wall = statistics.median(r[0] for r in rs)
    cpu = statistics.median(r[1] + r[2] for r in rs)
    rss = max(r[3] for r in rs) / 1024
    med[name] = (wall, cpu)
    print(f"{name}: wall {wall:.2f} s (median), CPU {cpu:.2f} s, {b/1e6/wall:.0f} MB/s, "
          f"{n/wall:,.0f} conversations/s, peak RSS {rss:.0f} MB")
print(f"audit / floor: wall {med['audit'][0]/med['floor'][0]:.2f}x, "
      f"CPU {med['audit'][1]/med['floor'][1]:.2f}x")
PY
