#!/usr/bin/env bash
# False-failure and detection rates of `handoff gate` by simulation (issue 13; docs/ci.md).
#
#   bash benches/gate_sim.sh [PAIRS] [SEED_PAIRS]
#
# Generates a 12,000-conversation pool with sample-data/generate.py (seed 20250401) into
# /tmp, then runs examples/gate_sim.rs: PAIRS (default 400) random splits of the pool into
# two halves of 6,000 (no change), the same with a third of refunds' conversations made
# to loop, and with refunds cut to 500 per side and its needs-human rate raised 5 points;
# each judged with Holm, Benjamini-Hochberg and no correction. SEED_PAIRS (default 0) also
# generates that many pairs of independent 6,000-conversation samples (the generator with
# different seeds) and judges them as no-change pairs (generating one 6,000-conversation
# side took about 12 s on the shared 2-core machine). Prints the sizing table of docs/ci.md.
# Measured (400 pairs, 8 seed pairs, debug build): about 20 minutes under load.
set -euo pipefail
cd "$(dirname "$0")/.."
pairs="${1:-400}"
seed_pairs="${2:-0}"
pool=/tmp/handoff-gate-sim-pool.jsonl
if [ ! -s "$pool" ]; then
    python3 sample-data/generate.py --seed 20250401 --conversations 12000 --out "$pool" \
        --no-truth --quiet
fi
sides=()
for ((i = 0; i < 2 * seed_pairs; i++)); do
    f="/tmp/handoff-gate-sim-side-$i.jsonl"
    [ -s "$f" ] || python3 sample-data/generate.py --seed $((1000 + i)) --conversations 6000 \
        --out "$f" --no-truth --quiet
    sides+=("$f")
done
args=("$pool" --pairs "$pairs" --category refunds)
[ "${#sides[@]}" -gt 0 ] && args+=(--sides "${sides[@]}")
cargo run --quiet --example gate_sim -- "${args[@]}"
