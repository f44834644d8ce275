#!/bin/sh
# Installs run-docker.
#
#   curl -fsSL https://github.com/run-docker/run-docker/releases/latest/download/install.sh | sh
#   sh install.sh [VERSION]                      # a pinned version (or RUN_DOCKER_VERSION)
#   sh install.sh --archive run-docker-<target>.tar.gz [--sha256 HEX]   # air-gapped: no network
#   sh install.sh --uninstall
#
# RUN_DOCKER_DOWNLOAD_URL replaces the release base URL (layout: latest/download/<asset>,
# download/v<version>/<asset>); RUN_DOCKER_INSTALL_DIR chooses the folder (default
# /usr/local/bin as root, else $XDG_BIN_HOME or ~/.local/bin); the manual page goes into
# share/man/man1 beside a folder named bin (/usr/local/share/man/man1, ~/.local/share/man/man1).
#
# Everything is in functions and the last line calls main, so a download cut off midway
# runs nothing. It never reads stdin and never edits shell files.

set -eu

DEFAULT_BASE="https://github.com/run-docker/run-docker/releases"

tmp=""
stage=""
cleanup() { rm -rf "$tmp" "$stage"; }
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM HUP

say() { printf 'install.sh: %s\n' "$*" >&2; }
die() {
  printf 'install.sh: error: %s\n' "$1" >&2
  [ $# -gt 1 ] && printf 'hint: %s\n' "$2" >&2
  exit 1
}

detect_target() {
  os=$(uname -s 2>/dev/null || echo unknown)
  arch=$(uname -m 2>/dev/null || echo unknown)
  case "$os" in
    Linux)
      if [ -f /etc/alpine-release ] || { command -v ldd >/dev/null 2>&1 && ldd --version 2>&1 | grep -qi musl; }; then
        die "musl-based Linux (Alpine) is not supported: run-docker's binary needs glibc" \
          "use a glibc distribution, or run run-docker from source with deno"
      fi
      case "$arch" in
        x86_64 | amd64) echo x86_64-unknown-linux-gnu ;;
        aarch64 | arm64) echo aarch64-unknown-linux-gnu ;;
        *) die "unsupported Linux architecture: $arch" "supported: x86_64, aarch64" ;;
      esac
      ;;
    Darwin)
      # Under Rosetta, uname says x86_64 on Apple Silicon: ask the kernel.
      if [ "$arch" = x86_64 ] && [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || echo 0)" = 1 ]; then
        arch=arm64
      fi
      case "$arch" in
        x86_64) echo x86_64-apple-darwin ;;
        arm64 | aarch64) echo aarch64-apple-darwin ;;
        *) die "unsupported macOS architecture: $arch" ;;
      esac
      ;;
    MINGW* | MSYS* | CYGWIN*)
      die "this is Windows (Git Bash/MSYS): install.sh installs Linux and macOS binaries" \
        "download run-docker-x86_64-pc-windows-msvc.zip from the release page and put run-docker.exe on PATH"
      ;;
    *) die "unsupported system: $os $arch" "supported: Linux (glibc) x86_64/aarch64, macOS, Windows" ;;
  esac
}

default_install_dir() {
  if [ "$(id -u)" = 0 ]; then
    echo /usr/local/bin
    return
  fi
  if [ -n "${XDG_BIN_HOME:-}" ]; then
    echo "$XDG_BIN_HOME"
    return
  fi
  home=${HOME:-}
  if [ -z "$home" ] && command -v getent >/dev/null 2>&1; then
    home=$(getent passwd "$(id -u)" | cut -d: -f6)
  fi
  [ -n "$home" ] || die "cannot tell your home directory" "set RUN_DOCKER_INSTALL_DIR"
  echo "$home/.local/bin"
}

# Bytes a download may have: the archive, and SHA256SUMS.
MAX_ARCHIVE_BYTES=209715200 # 200 MiB
MAX_TEXT_BYTES=1048576      # 1 MiB

# loopback_http URL: true when URL is plain http to exactly 127.0.0.1, localhost or [::1]
# (with an optional numeric port): the only plain http allowed, for tests and local mirrors.
loopback_http() {
  rest=${1#http://}
  [ "$rest" != "$1" ] || return 1
  authority=${rest%%/*}
  authority=${authority%%\?*}
  authority=${authority%%#*}
  case "$authority" in
    127.0.0.1 | 127.0.0.1:*) port=${authority#127.0.0.1} ;;
    localhost | localhost:*) port=${authority#localhost} ;;
    '[::1]' | '[::1]:'*) port=${authority#'[::1]'} ;;
    *) return 1 ;;
  esac
  port=${port#:}
  case "$port" in *[!0-9]*) return 1 ;; esac
  return 0
}

# download URL FILE MAX_BYTES: curl (https only, TLS 1.2+) or wget; plain http only to an exact
# loopback host, and a redirect from there is followed only to https (curl) or not at all (wget).
download() {
  case "$1" in
    https://*) http="" ;;
    *)
      loopback_http "$1" || die "refusing to download over plain http: $1" \
        "use https, or http only to 127.0.0.1, localhost or [::1]"
      http=1
      ;;
  esac
  if command -v curl >/dev/null 2>&1; then
    if [ -z "$http" ]; then
      curl --proto '=https' --proto-redir '=https' --tlsv1.2 -fsSL --max-filesize "$3" \
        --connect-timeout 15 --max-time 600 -o "$2" "$1" || return 1
    else
      curl --proto '=http,https' --proto-redir '=https' -fsSL --max-filesize "$3" \
        --connect-timeout 15 --max-time 600 -o "$2" "$1" || return 1
    fi
  elif command -v wget >/dev/null 2>&1; then
    if [ -z "$http" ]; then
      wget -q --timeout=30 --tries=2 -O "$2" "$1" || return 1
    else
      wget -q --timeout=30 --tries=2 --max-redirect=0 -O "$2" "$1" || return 1
    fi
  else
    die "neither curl nor wget is installed" "install one of them, or use --archive with a downloaded archive"
  fi
  [ "$(($(wc -c <"$2")))" -le "$3" ] || die "$1 is larger than $3 bytes" \
    "it is not a run-docker release; check RUN_DOCKER_DOWNLOAD_URL"
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d' ' -f1
  elif command -v openssl >/dev/null 2>&1; then
    openssl dgst -sha256 "$1" | sed 's/^.*= *//'
  else
    die "no sha256sum, shasum or openssl to verify the download" "install one of them (coreutils, perl or openssl)"
  fi
}

# verify FILE NAME SUMS_FILE_OR_EMPTY HEX_OR_EMPTY
verify() {
  expected=$(printf '%s' "${4:-}" | tr 'A-F' 'a-f')
  if [ -z "$expected" ]; then
    if [ -z "$3" ] || [ ! -f "$3" ]; then
      die "no SHA256SUMS to check $2 against" "put SHA256SUMS beside the archive, or give --sha256 HEX"
    fi
    expected=$(awk -v n="$2" '$2 == n || $2 == "*" n { print $1; exit }' "$3")
    [ -n "$expected" ] || die "$2 is not listed in SHA256SUMS"
  fi
  actual=$(sha256_of "$1")
  [ "$actual" = "$expected" ] || die "checksum mismatch for $2 (expected $expected, got $actual)" \
    "the download is damaged or not the release; nothing was changed"
}

# man_dir DIR: the share/man/man1 folder beside DIR when DIR is a bin folder (/usr/local/bin,
# ~/.local/bin); fails for another folder, where the manual page is not installed.
man_dir() {
  bin=${1%/}
  case "$bin" in
    */bin) echo "${bin%/bin}/share/man/man1" ;;
    *) return 1 ;;
  esac
}

# regular FILE: true when FILE is a regular file with one link (no link, device or FIFO).
regular() {
  [ ! -L "$1" ] && [ -f "$1" ] && [ -n "$(find "$1" -prune -type f -links 1)" ]
}

install_archive() { # ARCHIVE TARGET DIR
  archive=$1
  target=$2
  dir=$3
  mkdir -p "$dir" || die "cannot create $dir" "choose another folder with RUN_DOCKER_INSTALL_DIR"
  [ -w "$dir" ] || die "cannot write to $dir" "run as root (sudo), or set RUN_DOCKER_INSTALL_DIR to a folder of yours"
  stage=$(mktemp -d "$dir/.run-docker-install.XXXXXX") || die "cannot create a temp folder in $dir"
  want="run-docker-$target/run-docker"
  page="run-docker-$target/run-docker.1"
  # Names first: an absolute or ../ name anywhere, or the binary missing or twice, refuses it.
  # Some tars (busybox) list a sanitized name and only warn: any warning refuses too.
  names=$(tar -tzf "$archive" 2>"$stage/tar.err") || die "cannot unpack $archive" "it is damaged or not an archive; nothing was changed"
  if [ -s "$stage/tar.err" ]; then
    die "refusing $archive: tar warns: $(head -n 1 "$stage/tar.err")" "nothing was changed; it is not a release archive"
  fi
  why=$(printf '%s\n' "$names" | awk -v want="$want" -v page="$page" '
    bad == "" && (/^\// || /(^|\/)\.\.(\/|$)/) { bad = $0 }
    $0 == want { n++ }
    $0 == page { m++ }
    END {
      if (bad != "") print "it holds \"" bad "\", an absolute or ../ name"
      else if (n == 0) print "it has no " want
      else if (n > 1) print want " appears " n " times"
      else if (m > 1) print page " appears " m " times"
    }')
  [ -z "$why" ] || die "refusing $archive: $why" "nothing was changed; it is not a release archive"
  # Only the binary, into a private folder, owned by whoever runs this (-o); then it must be a
  # regular file with one link: never a symbolic or hard link, device or FIFO.
  # The manual page too, when the archive has one (releases before 0.2 have none).
  has_page=""
  printf '%s\n' "$names" | grep -Fqx "$page" && has_page=1
  tar -xozf "$archive" -C "$stage" "$want" ${has_page:+"$page"} || die "cannot unpack $archive" "nothing was changed"
  new="$stage/$want"
  for file in "$new" ${has_page:+"$stage/$page"}; do
    regular "$file" || die "refusing $archive: ${file#"$stage/"} is not a regular file" \
      "nothing was changed; it is not a release archive"
  done
  chmod 755 "$new"
  if [ -d "$dir/run-docker" ]; then
    die "$dir/run-docker is a directory" "move it away, or choose another folder with RUN_DOCKER_INSTALL_DIR"
  fi
  version=$("$new" --version 2>/dev/null) || die "the new binary does not run on this machine"
  mv -f "$new" "$dir/run-docker" || die "cannot replace $dir/run-docker"
  say "installed $version to $dir/run-docker"
  if [ -n "$has_page" ] && mandir=$(man_dir "$dir"); then
    chmod 644 "$stage/$page"
    if mkdir -p "$mandir" 2>/dev/null && mv -f "$stage/$page" "$mandir/run-docker.1" 2>/dev/null; then
      say "installed the manual page to $mandir/run-docker.1 (man run-docker)"
    else
      say "could not write the manual page into $mandir; run-docker itself is installed"
    fi
  fi
  case ":${PATH:-}:" in
    *":$dir:"*) ;;
    *) say "$dir is not on your PATH; add it, e.g. export PATH=\"$dir:\$PATH\" in your shell's profile" ;;
  esac
}

main() {
  archive=""
  sha=""
  uninstall=""
  version=${RUN_DOCKER_VERSION:-}
  version=${version#v}
  while [ $# -gt 0 ]; do
    case "$1" in
      --archive)
        [ $# -ge 2 ] || die "--archive needs a file"
        archive=$2
        shift 2
        ;;
      --sha256)
        [ $# -ge 2 ] || die "--sha256 needs a hex digest"
        sha=$2
        shift 2
        ;;
      --uninstall)
        uninstall=1
        shift
        ;;
      -h | --help)
        sed -n '2,16p' "$0" 2>/dev/null || true
        return 0
        ;;
      -*) die "unknown option $1" "see the top of install.sh" ;;
      *)
        version=${1#v}
        shift
        ;;
    esac
  done
  dir=${RUN_DOCKER_INSTALL_DIR:-$(default_install_dir)}

  if [ -n "$uninstall" ]; then
    if [ -e "$dir/run-docker" ] || [ -L "$dir/run-docker" ]; then
      rm -f "$dir/run-docker" || die "cannot remove $dir/run-docker" "run as root (sudo)"
      say "removed $dir/run-docker"
    else
      say "nothing to remove: $dir/run-docker does not exist"
    fi
    if mandir=$(man_dir "$dir") && { [ -e "$mandir/run-docker.1" ] || [ -L "$mandir/run-docker.1" ]; }; then
      rm -f "$mandir/run-docker.1" || die "cannot remove $mandir/run-docker.1" "run as root (sudo)"
      say "removed $mandir/run-docker.1"
    fi
    return 0
  fi

  target=$(detect_target)
  if [ -n "$archive" ]; then
    [ -f "$archive" ] || die "no such archive: $archive"
    verify "$archive" "$(basename "$archive")" "$(dirname "$archive")/SHA256SUMS" "$sha"
    install_archive "$archive" "$target" "$dir"
    return 0
  fi

  base=${RUN_DOCKER_DOWNLOAD_URL:-$DEFAULT_BASE}
  base=${base%/}
  if [ -n "$version" ]; then path="download/v$version"; else path="latest/download"; fi
  asset="run-docker-$target.tar.gz"
  tmp=$(mktemp -d) || die "cannot create a temp folder"
  say "downloading $asset (${version:-latest})"
  download "$base/$path/$asset" "$tmp/$asset" "$MAX_ARCHIVE_BYTES" || die "download failed: $base/$path/$asset" "check the version and the network"
  download "$base/$path/SHA256SUMS" "$tmp/SHA256SUMS" "$MAX_TEXT_BYTES" || die "download failed: $base/$path/SHA256SUMS"
  verify "$tmp/$asset" "$asset" "$tmp/SHA256SUMS" ""
  install_archive "$tmp/$asset" "$target" "$dir"
}

main "$@"
