#!/usr/bin/env bash
# Runs `handoff gate` with the action's inputs (HANDOFF_BASELINE, HANDOFF_CANDIDATE, their
# filters, HANDOFF_CONFIG, HANDOFF_ARGS), writing JUnit and Markdown under $RUNNER_TEMP. The
# gate itself appends its Markdown to $GITHUB_STEP_SUMMARY. This step always succeeds: the
# exit code goes to $GITHUB_OUTPUT, so the upload and the comment still run on a failed
# gate, and the action's last step turns it into the job's verdict. When the gate cannot
# run at all (exit 2), its error becomes the Markdown report, so the comment says why.
set -uo pipefail

: "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set (not on a GitHub Actions runner?)}"
: "${HANDOFF_BASELINE:?input baseline of the action is empty}"
: "${HANDOFF_CANDIDATE:?input candidate of the action is empty}"
out="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/handoff-gate"
mkdir -p "$out"
junit="$out/handoff-gate.xml"
markdown="$out/handoff-gate.md"
rm -f "$junit" "$markdown"

# Inputs are word lists (paths without spaces; no globbing here, the runner's shell
# expands nothing either). Empty arrays are spelled ${a[@]+"${a[@]}"} for the bash 3.2
# of macOS, where "${a[@]}" of an empty array trips set -u.
set -f
read -r -a baseline <<<"$HANDOFF_BASELINE"
read -r -a candidate <<<"$HANDOFF_CANDIDATE"
read -r -a extra <<<"${HANDOFF_ARGS:-}"
set +f
args=(gate --baseline "${baseline[@]}" --candidate "${candidate[@]}"
    --junit "$junit" --markdown "$markdown")
[ -n "${HANDOFF_BASELINE_FILTER:-}" ] && args+=(--baseline-filter "$HANDOFF_BASELINE_FILTER")
[ -n "${HANDOFF_CANDIDATE_FILTER:-}" ] && args+=(--candidate-filter "$HANDOFF_CANDIDATE_FILTER")
[ -n "${HANDOFF_CONFIG:-}" ] && args+=(--config "$HANDOFF_CONFIG")

echo "handoff ${args[*]} ${extra[*]:-}"
handoff "${args[@]}" ${extra[@]+"${extra[@]}"} 2>"$out/stderr.txt"
code=$?
cat "$out/stderr.txt" >&2

case "$code" in
    0) result=passed ;;
    1) result=failed ;;
    *)
        result=error
        {
            echo "### handoff gate could not run (exit $code)"
            echo
            echo '```'
            tail -n 20 "$out/stderr.txt"
            echo '```'
        } >"$markdown"
        if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
            cat "$markdown" >>"$GITHUB_STEP_SUMMARY"
        fi
        echo "::error title=handoff gate::could not run (exit $code); see the log"
        ;;
esac

{
    echo "exit-code=$code"
    echo "result=$result"
    echo "markdown=$markdown"
    if [ -f "$junit" ]; then echo "junit=$junit"; fi
} >>"$GITHUB_OUTPUT"
