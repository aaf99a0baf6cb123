#!/usr/bin/env bash
# Checks that two handoff binaries give byte-identical results: every report format and the
# findings (JSONL and CSV) on sample-data/ and on each labelled set in ../shared/data (or
# DATA), plus the 200k benchmark corpus when given. Used before and after speed work.
#
#   bash benches/same_output.sh OLD_BINARY NEW_BINARY [EXTRA_INPUT...]
set -uo pipefail
cd "$(dirname "$0")/.."
old="$1" new="$2"
shift 2
data="${DATA:-../shared/data}"
inputs=(sample-data/transcripts.jsonl sample-data/messages.csv)
for f in "$data"/*/*.jsonl; do
    case "$f" in *.labels.jsonl) ;; *) inputs+=("$f") ;; esac
done
inputs+=("$@")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
for input in "${inputs[@]}"; do
    [ -e "$input" ] || { echo "skip (absent): $input"; continue; }
    for side in old new; do
        bin=${!side}
        dir="$work/$side"
        rm -rf "$dir" && mkdir -p "$dir"
        for fmt in json markdown table csv; do
            "$bin" audit "$input" --quiet --format "$fmt" --output "$dir/report.$fmt" \
                >"$dir/stdout.$fmt" 2>"$dir/stderr.$fmt"
            echo "exit $?" >>"$dir/stderr.$fmt"
        done
        "$bin" audit "$input" --quiet --format json --threads 1 --output "$dir/report-1.json" \
            --findings "$dir/findings.jsonl" --html "$dir/report.html" >/dev/null 2>&1
        "$bin" audit "$input" --quiet --format json --findings "$dir/findings.csv" \
            --output /dev/null >/dev/null 2>&1
    done
    # The HTML page says when it was made.
    if diff -r -I "by handoff [0-9.]*</dd>" "$work/old" "$work/new" >/dev/null; then
        echo "same: $input"
    else
        echo "DIFFERENT: $input"
        diff -r -I "by handoff [0-9.]*</dd>" "$work/old" "$work/new" | head -20
        fail=1
    fi
done
exit $fail
