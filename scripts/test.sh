#!/usr/bin/env bash
# The one test command. Installs what is missing (Debian packages, deno),
# starts a private dockerd for the end-to-end tests, runs formatting, lint,
# type checks, the doc lint (every export of main.ts and lib/ documented) and
# `deno task test`, stops what it started, and prints a last line
# "N passed, N failed".
#
# In CI (CI=true) an engine that cannot start is a test failure, not a skip.
set -uo pipefail
cd "$(dirname "$0")/.."

DENO_VERSION=2.9.6
log() { printf 'test.sh: %s\n' "$*" >&2; }

install_missing() {
  local packages=()
  command -v dockerd >/dev/null 2>&1 || packages+=(docker.io)
  [ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -qx sh || packages+=(busybox-static)
  command -v tar >/dev/null 2>&1 || packages+=(tar)
  [ -x /usr/bin/docker-registry ] || packages+=(docker-registry)
  command -v skopeo >/dev/null 2>&1 || packages+=(skopeo)
  command -v docker-compose >/dev/null 2>&1 || packages+=(docker-compose)
  command -v openssl >/dev/null 2>&1 || packages+=(openssl)
  # Podman, rootful and rootless (tests/e2e_podman_test.ts; in CI a missing podman fails them).
  command -v podman >/dev/null 2>&1 || packages+=(podman)
  command -v newuidmap >/dev/null 2>&1 || packages+=(uidmap)
  command -v slirp4netns >/dev/null 2>&1 || packages+=(slirp4netns)
  command -v fuse-overlayfs >/dev/null 2>&1 || packages+=(fuse-overlayfs)
  command -v catatonit >/dev/null 2>&1 || packages+=(catatonit)
  command -v setpriv >/dev/null 2>&1 || packages+=(util-linux)
  local tool
  for tool in dash zip unzip shellcheck wget curl zsh fish; do
    command -v "$tool" >/dev/null 2>&1 || packages+=("$tool")
  done
  command -v groff >/dev/null 2>&1 || packages+=(groff-base)
  if ((${#packages[@]})); then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      log "installing ${packages[*]}"
      apt-get update -qq >/dev/null 2>&1
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null 2>&1 ||
        log "apt-get install ${packages[*]} failed"
    else
      log "missing ${packages[*]}; install them (as root: apt-get install ${packages[*]})"
    fi
  fi
  if ! command -v deno >/dev/null 2>&1; then
    log "installing deno@$DENO_VERSION with npm"
    npm install -g "deno@$DENO_VERSION" >/dev/null 2>&1 || log "npm install -g deno@$DENO_VERSION failed"
  fi
}

T=""
DOCKERD_PID=""
start_engine() {
  if ! command -v dockerd >/dev/null 2>&1 || [ "$(id -u)" != 0 ]; then
    log "no private dockerd (needs root and dockerd); using DOCKER_HOST=${DOCKER_HOST:-default}"
    return
  fi
  T=$(mktemp -d /tmp/rd-test.XXXXXX)
  chmod 711 "$T" # another uid may reach the socket (the user: host test opens it to uid 1001)
  # Also on a loopback TCP port: the remote-engine tests reach it as tcp://127.0.0.1:PORT.
  local port
  port=$(deno eval 'const l = Deno.listen({ hostname: "127.0.0.1", port: 0 }); console.log(l.addr.port); l.close();')
  dockerd --data-root "$T/root" --exec-root "$T/exec" --pidfile "$T/pid" \
    -H "unix://$T/docker.sock" -H "tcp://127.0.0.1:$port" >"$T/dockerd.log" 2>&1 &
  DOCKERD_PID=$!
  export DOCKER_HOST="unix://$T/docker.sock" RUN_DOCKER_TEST_ENGINE=private
  export RUN_DOCKER_TEST_TCP_HOST="tcp://127.0.0.1:$port"
  local i
  for ((i = 0; i < 120; i++)); do
    if docker version --format '{{.Server.Version}}' >/dev/null 2>&1; then
      log "private dockerd $(docker version --format '{{.Server.Version}}') at $DOCKER_HOST"
      return
    fi
    kill -0 "$DOCKERD_PID" 2>/dev/null || break
    sleep 0.5
  done
  log "dockerd did not start; its log ends with:"
  tail -n 20 "$T/dockerd.log" >&2
}

stop_engine() {
  if [ -n "$DOCKERD_PID" ]; then
    docker ps --all --quiet 2>/dev/null | xargs -r docker rm --force >/dev/null 2>&1
    kill "$DOCKERD_PID" 2>/dev/null
    wait "$DOCKERD_PID" 2>/dev/null
  fi
  if [ -n "$T" ]; then
    grep -F " $T/" /proc/mounts 2>/dev/null | awk '{print $2}' | sort -r | xargs -r -n1 umount -l 2>/dev/null
    rm -rf "$T"
  fi
}
trap stop_engine EXIT

install_missing
start_engine

passed=0
failed=0
check() {
  local name=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    log "FAILED: $name"
  fi
}
export NO_COLOR=1
check "deno fmt --check" deno fmt --check
check "deno lint" deno lint
check "deno task check" deno task check
check "deno doc --lint" deno doc --lint main.ts lib/

out=$(mktemp)
deno task test 2>&1 | tee "$out"
status=${PIPESTATUS[0]}
summary=$(grep -E '^(ok|FAILED) \| [0-9]+ passed' "$out" | tail -n 1)
if [ -n "$summary" ]; then
  passed=$((passed + $(sed -E 's/.* ([0-9]+) passed.*/\1/' <<<"$summary")))
  failed=$((failed + $(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$summary")))
fi
if [ "$status" != 0 ] && [ -z "$summary" ]; then
  failed=$((failed + 1))
  log "FAILED: deno task test (exit $status, no summary)"
fi
rm -f "$out"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$status" = 0 ]
