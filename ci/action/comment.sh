#!/usr/bin/env bash
# Posts the gate's Markdown report (HANDOFF_MARKDOWN) as one comment on pull request
# HANDOFF_PR of $GITHUB_REPOSITORY, or updates the comment an earlier run posted (found by
# the marker on its first line), so a pull request carries one current verdict rather than
# one comment per push. Uses the runner's `gh` with GH_TOKEN. A comment that cannot be
# written (a fork's read-only token, no `pull-requests: write`) is a warning, not a failed
# job: the verdict is the gate's.
set -euo pipefail

marker='<!-- handoff-gate -->'
# GitHub refuses comment bodies over 65,536 characters.
limit=60000

if [ -z "${HANDOFF_PR:-}" ]; then
    echo "handoff: not a pull request; no comment"
    exit 0
fi
: "${GITHUB_REPOSITORY:?GITHUB_REPOSITORY is not set}"
: "${HANDOFF_MARKDOWN:?HANDOFF_MARKDOWN is not set}"
[ -f "$HANDOFF_MARKDOWN" ] || {
    echo "handoff: no report at $HANDOFF_MARKDOWN; no comment"
    exit 0
}

body="$(dirname "$HANDOFF_MARKDOWN")/comment.md"
{
    echo "$marker"
    if [ "$(wc -c <"$HANDOFF_MARKDOWN")" -gt "$limit" ]; then
        head -c "$limit" "$HANDOFF_MARKDOWN"
        echo
        echo
        echo "_(cut at $limit characters: the whole report is on the run's summary page and in its artifact)_"
    else
        cat "$HANDOFF_MARKDOWN"
    fi
} >"$body"

warn() {
    echo "::warning title=handoff::$*"
    exit 0
}

existing=$(gh api "repos/$GITHUB_REPOSITORY/issues/$HANDOFF_PR/comments" --paginate \
    --jq ".[] | select(.body | startswith(\"$marker\")) | .id" | head -n 1) ||
    warn "could not list the comments of pull request #$HANDOFF_PR"

if [ -n "$existing" ] &&
    gh api --silent -X PATCH "repos/$GITHUB_REPOSITORY/issues/comments/$existing" \
        -F "body=@$body"; then
    echo "handoff: updated comment $existing on pull request #$HANDOFF_PR"
else
    gh api --silent -X POST "repos/$GITHUB_REPOSITORY/issues/$HANDOFF_PR/comments" \
        -F "body=@$body" ||
        warn "could not comment on pull request #$HANDOFF_PR (a fork's token, or no 'pull-requests: write' permission?)"
    echo "handoff: commented on pull request #$HANDOFF_PR"
fi
