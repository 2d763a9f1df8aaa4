#!/bin/sh
# Installs a prebuilt cheatgen: picks the release archive for this platform, verifies it
# against the release's SHA256SUMS, and puts the binary in ~/.local/bin (or
# $CHEATGEN_INSTALL). The GitHub Action (action.yml) installs through this script too.
#
#   curl -fsSL https://raw.githubusercontent.com/cheatgen/cheatgen/main/install.sh | sh
#   curl -fsSL https://raw.githubusercontent.com/cheatgen/cheatgen/main/install.sh | sh -s -- --version 0.1.0
#
# Options (each also an environment variable; an option wins):
#   --version VERSION   CHEATGEN_VERSION       release to install, e.g. 0.1.0 (default: the latest)
#   --to DIR            CHEATGEN_INSTALL       directory for the binary (default: ~/.local/bin)
#                       CHEATGEN_DOWNLOAD_URL  where the releases are (default below); archives
#                                              are read from <url>/download/v<version>/
#
# POSIX sh; on Windows it runs in Git for Windows' bash (as on GitHub's Windows runners).
# Needs curl or wget, tar (or unzip on Windows), and sha256sum or shasum.
set -eu

RELEASES_URL="https://github.com/cheatgen/cheatgen/releases"

say() { printf 'cheatgen install: %s\n' "$*" >&2; }
fail() {
	printf 'cheatgen install: error: %s\n' "$*" >&2
	exit 1
}

# The Rust target triple of the release archive that runs here.
detect_target() {
	os=$(uname -s)
	machine=$(uname -m)
	case "$machine" in
	x86_64 | amd64 | x64) arch=x86_64 ;;
	aarch64 | arm64) arch=aarch64 ;;
	*) arch="" ;;
	esac
	case "$os" in
	Linux) os_part=unknown-linux-musl ;;
	Darwin)
		os_part=apple-darwin
		# A shell under Rosetta says x86_64 on Apple silicon; the native build is better.
		if [ "$arch" = x86_64 ] && [ "$(sysctl -n sysctl.proc_translated 2>/dev/null)" = 1 ]; then
			arch=aarch64
		fi
		;;
	MINGW* | MSYS* | CYGWIN* | Windows_NT)
		os_part=pc-windows-msvc
		[ "$arch" = x86_64 ] || arch=""
		;;
	*) os_part="" ;;
	esac
	if [ -z "$arch" ] || [ -z "$os_part" ]; then
		fail "no prebuilt cheatgen for this platform ($os $machine); prebuilt archives exist for x86_64 and aarch64 Linux, x86_64 and aarch64 macOS, and x86_64 Windows. Build from source instead: cargo install --locked cheatgen"
	fi
	echo "$arch-$os_part"
}

# download URL FILE: fails with the URL in the message (404 = no such release or asset).
download() {
	if command -v curl >/dev/null 2>&1; then
		curl --proto '=https,http' -fsSL --retry 2 -o "$2" "$1" || fail "could not download $1 (is that version released for this platform?)"
	elif command -v wget >/dev/null 2>&1; then
		wget -q -O "$2" "$1" || fail "could not download $1 (is that version released for this platform?)"
	else
		fail "neither curl nor wget is installed"
	fi
}

# The newest release's version, from where <releases>/latest redirects to (…/tag/vX.Y.Z).
latest_version() {
	command -v curl >/dev/null 2>&1 || fail "finding the latest release needs curl; pass --version VERSION"
	final=$(curl --proto '=https,http' -fsSL -o /dev/null -w '%{url_effective}' "$RELEASES_URL/latest") ||
		fail "could not find the latest release at $RELEASES_URL/latest"
	tag=${final##*/}
	case "$tag" in
	v[0-9]*) echo "${tag#v}" ;;
	*) fail "could not find the latest release at $RELEASES_URL/latest (it led to $final); pass --version VERSION" ;;
	esac
}

sha256_of() {
	if command -v sha256sum >/dev/null 2>&1; then
		sha256sum "$1" | cut -d ' ' -f 1
	elif command -v shasum >/dev/null 2>&1; then
		shasum -a 256 "$1" | cut -d ' ' -f 1
	else
		fail "neither sha256sum nor shasum is installed, so the download cannot be verified"
	fi
}

main() {
	version=${CHEATGEN_VERSION:-}
	dest=${CHEATGEN_INSTALL:-}
	while [ $# -gt 0 ]; do
		case "$1" in
		--version) [ $# -ge 2 ] || fail "--version needs a value"; version=$2; shift 2 ;;
		--to) [ $# -ge 2 ] || fail "--to needs a value"; dest=$2; shift 2 ;;
		-h | --help) sed -n '2,17p' "$0" 2>/dev/null || true; exit 0 ;;
		*) fail "unknown option $1 (options: --version VERSION, --to DIR)" ;;
		esac
	done
	RELEASES_URL=${CHEATGEN_DOWNLOAD_URL:-$RELEASES_URL}
	RELEASES_URL=${RELEASES_URL%/}
	if [ -z "$dest" ]; then
		[ -n "${HOME:-}" ] || fail "HOME is not set; pass --to DIR"
		dest="$HOME/.local/bin"
	fi

	target=$(detect_target)
	version=${version#v}
	if [ -z "$version" ] || [ "$version" = latest ]; then
		version=$(latest_version)
	fi
	case "$target" in
	*windows*) ext=zip exe=cheatgen.exe ;;
	*) ext=tar.gz exe=cheatgen ;;
	esac
	name="cheatgen-$version-$target"
	archive="$name.$ext"
	base="$RELEASES_URL/download/v$version"

	tmp=$(mktemp -d 2>/dev/null || mktemp -d -t cheatgen)
	trap 'rm -rf "$tmp"' EXIT
	trap 'exit 130' INT TERM
	say "downloading $base/$archive"
	download "$base/$archive" "$tmp/$archive"
	download "$base/SHA256SUMS" "$tmp/SHA256SUMS"

	# A line is "<hash>  <file>" (or "<hash> *<file>" from binary-mode sha256sum).
	expected=$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1; exit }' "$tmp/SHA256SUMS")
	[ -n "$expected" ] || fail "SHA256SUMS of v$version has no entry for $archive; nothing was installed"
	actual=$(sha256_of "$tmp/$archive")
	if [ "$actual" != "$expected" ]; then
		fail "checksum mismatch for $archive: SHA256SUMS says $expected, the download is $actual (corrupted or tampered with); nothing was installed"
	fi

	mkdir -p "$tmp/x"
	case "$ext" in
	zip)
		if command -v unzip >/dev/null 2>&1; then
			unzip -q "$tmp/$archive" -d "$tmp/x" || fail "could not unpack $archive"
		else
			win_tmp=$(cygpath -w "$tmp" 2>/dev/null || echo "$tmp")
			powershell.exe -NoProfile -Command "Expand-Archive -LiteralPath '$win_tmp/$archive' -DestinationPath '$win_tmp/x'" ||
				fail "could not unpack $archive"
		fi
		;;
	*) tar -xzf "$tmp/$archive" -C "$tmp/x" || fail "could not unpack $archive" ;;
	esac
	[ -f "$tmp/x/$name/$exe" ] || fail "$archive has no $name/$exe"

	mkdir -p "$dest" || fail "could not create $dest"
	# Copy beside the target, then rename: a running or half-written binary is never left.
	cp "$tmp/x/$name/$exe" "$dest/.$exe.partial" || fail "could not write to $dest"
	chmod 755 "$dest/.$exe.partial"
	mv -f "$dest/.$exe.partial" "$dest/$exe" || fail "could not write $dest/$exe"
	installed=$("$dest/$exe" --version) || fail "$dest/$exe does not run on this machine"
	say "installed $installed to $dest/$exe"
	case ":${PATH:-}:" in
	*":$dest:"*) ;;
	*) say "note: $dest is not on your PATH; add it, e.g. export PATH=\"$dest:\$PATH\"" ;;
	esac
}

main "$@"
