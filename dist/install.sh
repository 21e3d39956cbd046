#!/bin/sh
# Installs the `wapc` command from a release: downloads the archive for this machine and the
# release's SHA256SUMS, checks the archive against it, and only then puts `wapc` in place.
#
#   curl -fsSL https://github.com/wapc/cli/releases/latest/download/install.sh | sh
#
# Environment:
#   WAPC_VERSION        the release to install, e.g. 0.1.0 (default: the latest)
#   WAPC_INSTALL_DIR    where `wapc` goes (default: ~/.local/bin)
#   WAPC_DOWNLOAD_URL   the folder holding the archives and SHA256SUMS (default: the
#                       release's downloads on GitHub); a mirror, or file:///path/to/dist
set -eu

repository=https://github.com/wapc/cli

fail() {
    printf 'wapc install: %s\n' "$*" >&2
    exit 1
}

os=$(uname -s)
machine=$(uname -m)
# The targets of dist/build; both binaries are static, so any Linux distribution runs them.
case "$os/$machine" in
    Linux/x86_64 | Linux/amd64) target=x86_64-unknown-linux-gnu ;;
    Linux/aarch64 | Linux/arm64) target=aarch64-unknown-linux-musl ;;
    *) fail "no release binary for $os on $machine (there are for Linux on x86_64 and aarch64); build wapc from source instead: cargo install wapc-codegen" ;;
esac
archive=wapc-$target.tar.gz

if [ -n "${WAPC_DOWNLOAD_URL:-}" ]; then
    base=${WAPC_DOWNLOAD_URL%/}
elif [ -n "${WAPC_VERSION:-}" ]; then
    base=$repository/releases/download/v${WAPC_VERSION#v}
else
    base=$repository/releases/latest/download
fi
install_dir=${WAPC_INSTALL_DIR:-$HOME/.local/bin}

# An HTTP error is a failure, never a page saved in the file's place.
download() {
    if command -v curl >/dev/null 2>&1; then
        curl --fail --silent --show-error --location --output "$2" "$1" ||
            fail "could not download $1"
    elif command -v wget >/dev/null 2>&1; then
        wget --quiet --output-document="$2" "$1" || fail "could not download $1"
    else
        fail "needs curl or wget to download $1"
    fi
}

sha256() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d ' ' -f 1
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 "$1" | cut -d ' ' -f 1
    else
        fail "needs sha256sum or shasum to check the download"
    fi
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

download "$base/SHA256SUMS" "$work/SHA256SUMS"
expected=$(awk -v name="$archive" '$2 == name || $2 == "*" name { print $1; exit }' "$work/SHA256SUMS")
if [ ${#expected} -ne 64 ] || [ -n "$(printf %s "$expected" | tr -d 0-9a-f)" ]; then
    fail "$base/SHA256SUMS has no checksum for $archive: is $base a wapc release?"
fi

download "$base/$archive" "$work/$archive"
actual=$(sha256 "$work/$archive")
[ "$actual" = "$expected" ] ||
    fail "$base/$archive does not match SHA256SUMS (sha256 $actual, expected $expected); nothing was installed"

tar -xzf "$work/$archive" -C "$work" || fail "could not unpack $archive"
binary=$work/wapc-$target/wapc
[ -f "$binary" ] || fail "$archive holds no wapc-$target/wapc"

mkdir -p "$install_dir" || fail "could not create $install_dir"
# Copied beside the old one, then renamed over it: a running wapc is never half replaced.
cp "$binary" "$install_dir/.wapc.installing" && chmod 0755 "$install_dir/.wapc.installing" &&
    mv -f "$install_dir/.wapc.installing" "$install_dir/wapc" ||
    fail "could not write $install_dir/wapc"

echo "installed $install_dir/wapc ($("$install_dir/wapc" --version))"
case ":$PATH:" in
    *":$install_dir:"*) ;;
    *) echo "note: $install_dir is not on PATH; add it, or set WAPC_INSTALL_DIR" ;;
esac
