#!/usr/bin/env bash
# Puts a handoff binary on the job's PATH (through $GITHUB_PATH): the one named by
# HANDOFF_BINARY, or the release asset for this runner (HANDOFF_VERSION, a tag or `latest`,
# from HANDOFF_REPOSITORY), downloaded with the runner's `gh` and checked against its
# published SHA-256 before it is unpacked. Asset names are those .github/workflows/release.yml
# publishes: handoff-TARGET.tar.gz and handoff-TARGET.tar.gz.sha256.
set -euo pipefail

note() { echo "handoff: $*"; }
fail() {
    echo "::error title=handoff::$*"
    exit 1
}

: "${GITHUB_PATH:?GITHUB_PATH is not set (not on a GitHub Actions runner?)}"
dest="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/handoff-bin"
mkdir -p "$dest"

if [ -n "${HANDOFF_BINARY:-}" ]; then
    [ -x "$HANDOFF_BINARY" ] || fail "binary: $HANDOFF_BINARY is not an executable file"
    ln -sf "$(cd "$(dirname "$HANDOFF_BINARY")" && pwd)/$(basename "$HANDOFF_BINARY")" \
        "$dest/handoff"
else
    os="${RUNNER_OS:-$(uname -s)}"
    arch="${RUNNER_ARCH:-$(uname -m)}"
    case "$os/$arch" in
        Linux/X64 | Linux/x86_64) target=x86_64-unknown-linux-musl ;;
        Linux/ARM64 | Linux/aarch64) target=aarch64-unknown-linux-musl ;;
        macOS/ARM64 | Darwin/arm64) target=aarch64-apple-darwin ;;
        macOS/X64 | Darwin/x86_64) target=x86_64-apple-darwin ;;
        *) fail "no release binary for $os/$arch; build one (cargo install --locked --git ...) and pass it as 'binary'" ;;
    esac
    : "${HANDOFF_REPOSITORY:?HANDOFF_REPOSITORY (owner/name of the handoff repository) is not set}"
    asset="handoff-$target.tar.gz"
    tag=()
    if [ -n "${HANDOFF_VERSION:-}" ] && [ "$HANDOFF_VERSION" != latest ]; then
        tag=("$HANDOFF_VERSION")
    fi
    note "fetching $asset (${HANDOFF_VERSION:-latest}) from $HANDOFF_REPOSITORY"
    gh release download ${tag[@]+"${tag[@]}"} --repo "$HANDOFF_REPOSITORY" \
        --pattern "$asset" --pattern "$asset.sha256" --dir "$dest" --clobber ||
        fail "could not download $asset from $HANDOFF_REPOSITORY's release ${HANDOFF_VERSION:-latest}"
    if command -v sha256sum >/dev/null 2>&1; then
        sum=(sha256sum)
    else
        sum=(shasum -a 256)
    fi
    (cd "$dest" && "${sum[@]}" -c "$asset.sha256") ||
        fail "$asset does not match its published SHA-256"
    tar -xzf "$dest/$asset" -C "$dest" handoff
fi

"$dest/handoff" --version
echo "$dest" >>"$GITHUB_PATH"
