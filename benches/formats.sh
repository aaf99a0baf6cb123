#!/usr/bin/env bash
# Throughput of `handoff audit` per input format.
#
# For each format, builds one large input (SIZE_MB megabytes, default 100) by repeating the
# records of tests/fixtures/<format>/ with fresh ids, times a release build auditing it
# (best of REPEAT runs, default 3) and prints MB/s and conversations/s. Inputs are generated
# one at a time into a temporary directory and deleted after timing.
#
#   cargo build --release                  # once; this script never builds
#   benches/formats.sh                     # all formats
#   SIZE_MB=300 REPEAT=1 benches/formats.sh twitter rasa-events
#
# HANDOFF_BIN overrides the binary (default: $CARGO_TARGET_DIR or target, /release/handoff);
# THREADS passes --threads. Needs python3 to generate the inputs.
set -euo pipefail
cd "$(dirname "$0")/.."

bin="${HANDOFF_BIN:-${CARGO_TARGET_DIR:-target}/release/handoff}"
size_mb="${SIZE_MB:-100}"
repeat="${REPEAT:-3}"
if [ ! -x "$bin" ]; then
    echo "bench: $bin not found; build it with: cargo build --release (or set HANDOFF_BIN)" >&2
    exit 2
fi
threads=()
if [ -n "${THREADS:-}" ]; then threads=(--threads "$THREADS"); fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

all=(canonical csv zendesk zendesk-messaging intercom ccai-insights dialogflow-cx
     dialogflow-cx-bigquery botframework-transcript copilot-studio rasa rasa-events openai
     twitter mapping)
if [ "$#" -gt 0 ]; then formats=("$@"); else formats=("${all[@]}"); fi

# gen NAME OUT: writes about SIZE_MB of input for NAME to OUT.
gen() {
    python3 - "$1" "$2" "$size_mb" <<'PY'
import csv, io, json, sys
name, out, size_mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
target = size_mb << 20
fx = "tests/fixtures/"

def load(path):
    with open(fx + path) as f:
        return json.load(f)

def lines(path):
    with open(fx + path) as f:
        return [json.loads(l) for l in f if l.strip().startswith("{") and l.rstrip().endswith("}")]

def jsonl(records, vary):
    """Repeats records, each copy varied by vary(record, n), one JSON object per line."""
    with open(out, "w") as f:
        n = written = 0
        while written < target:
            for r in records:
                line = json.dumps(vary(r, n), ensure_ascii=False) + "\n"
                f.write(line)
                written += len(line.encode())
                n += 1

def array(records, vary):
    with open(out, "w") as f:
        f.write("[\n")
        n = written = 0
        while written < target:
            for r in records:
                text = ("" if n == 0 else ",\n") + json.dumps(vary(r, n), ensure_ascii=False)
                f.write(text)
                written += len(text.encode())
                n += 1
        f.write("\n]\n")

def set_path(r, path, value):
    r = json.loads(json.dumps(r))
    node = r
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value
    return r

if name == "canonical":
    with open("sample-data/transcripts.jsonl") as f:
        recs = [json.loads(l) for l in f][:500]
    jsonl(recs, lambda r, n: set_path(r, ["id"], f"c-{n}"))
elif name == "csv":
    with open("sample-data/messages.csv") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    idc = header.index("conversation_id")
    with open(out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        n = 0
        while f.tell() < target:
            for row in body:
                row = list(row)
                row[idc] = f"{row[idc]}-{n}"
                w.writerow(row)
            n += 1
elif name == "zendesk":
    recs = lines("zendesk/tickets.jsonl")
    jsonl(recs, lambda r, n: set_path(r, ["id"], 100000 + n))
elif name == "zendesk-messaging":
    recs = [r for r in load("zendesk-messaging/conversations.json") if "conversation" in r]
    array(recs, lambda r, n: set_path(r, ["conversation", "id"], f"conv-{n}"))
elif name == "intercom":
    import glob
    recs = [json.load(open(p)) for p in sorted(glob.glob(fx + "intercom/*.json"))]
    jsonl(recs, lambda r, n: set_path(r, ["id"], str(3000000 + n)))
elif name == "ccai-insights":
    import glob
    recs = [json.load(open(p)) for p in sorted(glob.glob(fx + "ccai-insights/*.json"))]
    jsonl(recs, lambda r, n: set_path(r, ["conversation_id"], f"call-{n}"))
elif name == "dialogflow-cx":
    recs = load("dialogflow-cx/conversations.json")["conversations"]
    jsonl(recs, lambda r, n: set_path(r, ["name"], f"projects/p/locations/global/agents/a/conversations/c{n}"))
elif name == "dialogflow-cx-bigquery":
    rows = lines("dialogflow-cx/bigquery-export.jsonl")
    with open(out, "w") as f:
        n = 0
        while f.tell() < target:
            for r in rows:
                r = dict(r)
                r["conversation_name"] = r["conversation_name"] + f"-{n}"
                f.write(json.dumps(r) + "\n")
            n += 1
elif name == "botframework-transcript":
    acts = load("botframework/support.transcript")
    with open(out, "w") as f:
        n = 0
        while f.tell() < target:
            for a in acts:
                a = set_path(a, ["conversation", "id"], f"conv-{n}")
                f.write(json.dumps(a, ensure_ascii=False) + "\n")
            n += 1
elif name == "copilot-studio":
    recs = load("botframework/copilot-transcripts.json")["value"][:2]
    jsonl(recs, lambda r, n: set_path(r, ["name"], f"{n:08x}_0f1b3dac"))
elif name == "rasa":
    recs = lines("rasa/trackers.jsonl")
    jsonl(recs, lambda r, n: set_path(r, ["sender_id"], f"s-{n}"))
elif name == "rasa-events":
    evs = [e for e in lines("rasa/events.jsonl") if "sender_id" in e]
    with open(out, "w") as f:
        n = 0
        while f.tell() < target:
            for e in evs:
                e = dict(e)
                e["sender_id"] = f"{e['sender_id']}-{n}"
                f.write(json.dumps(e, ensure_ascii=False) + "\n")
            n += 1
elif name == "openai":
    recs = lines("openai/chats.jsonl")[:2]
    jsonl(recs, lambda r, n: set_path(r, ["id"], f"chat-{n}"))
elif name == "twitter":
    with open(fx + "twitter/twcs-sample.csv") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    with open(out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        n = 0
        while f.tell() < target:
            base = n * 1_000_000
            shift = lambda v: ",".join(str(base + int(x)) for x in v.split(",") if x) if v else ""
            for row in body:
                row = list(row)
                row[0] = str(base + int(row[0]))
                row[5], row[6] = shift(row[5]), shift(row[6])
                w.writerow(row)
            n += 1
elif name == "mapping":
    recs = load("mapping/helpdesk-x-export.json")[:2]
    array(recs, lambda r, n: set_path(r, ["ticket", "ref"], f"HX-{n}"))
else:
    sys.exit(f"bench: unknown format {name}")
PY
}

printf '%-24s %8s %9s %9s %12s\n' format MB seconds MB/s conv/s
slowest="" slowest_rate=""
for name in "${formats[@]}"; do
    case "$name" in
        canonical|zendesk|intercom|ccai-insights|dialogflow-cx|dialogflow-cx-bigquery|copilot-studio|rasa|rasa-events|openai)
            file="$work/$name.jsonl" ;;
        botframework-transcript) file="$work/$name.jsonl" ;;
        zendesk-messaging|mapping) file="$work/$name.json" ;;
        csv|twitter) file="$work/$name.csv" ;;
        *) echo "bench: unknown format $name (known: ${all[*]})" >&2; exit 2 ;;
    esac
    gen "$name" "$file"
    extra=()
    if [ "$name" = mapping ]; then extra=(--mapping tests/fixtures/mapping/helpdesk-x.toml); fi
    bytes=$(wc -c < "$file")
    best=""
    audited=0
    for _ in $(seq "$repeat"); do
        start=$(date +%s.%N)
        report=$("$bin" audit "$file" --format json -q "${threads[@]}" "${extra[@]}")
        end=$(date +%s.%N)
        secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
        if [ -z "$best" ] || awk -v s="$secs" -v b="$best" 'BEGIN { exit !(s < b) }'; then
            best="$secs"
        fi
        audited=$(printf '%s' "$report" | python3 -c 'import json,sys; print(json.load(sys.stdin)["input"]["audited"])')
    done
    mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
    rate=$(awk -v b="$bytes" -v s="$best" 'BEGIN { printf "%.1f", b / 1048576 / s }')
    convs=$(awk -v n="$audited" -v s="$best" 'BEGIN { printf "%.0f", n / s }')
    printf '%-24s %8s %9s %9s %12s\n' "$name" "$mb" "$best" "$rate" "$convs"
    if [ -z "$slowest" ] || awk -v r="$rate" -v s="$slowest_rate" 'BEGIN { exit !(r < s) }'; then
        slowest="$name" slowest_rate="$rate"
    fi
    rm -f "$file"
done
echo
echo "slowest: $slowest at $slowest_rate MB/s ($bin, best of $repeat, $(nproc) cores)"
