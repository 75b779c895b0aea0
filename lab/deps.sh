#!/bin/bash
# Checks what the lab needs on this machine (root, Debian packages, Go, free ports) and installs
# missing Debian packages with apt-get. Exit codes: 10 not root, 11 packages missing,
# 12 port busy, 13 no usable Go (only when a binary must be built).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || lab_fail 10 "the lab needs root (it creates a network namespace, mounts and runs containerd)" "Run it as root, e.g. \`sudo kata lab up\`."

# command -> Debian package
need=(
  containerd:containerd runc:runc socat:socat buildah:buildah mmdebstrap:mmdebstrap
  docker-registry:docker-registry iptables:iptables conntrack:conntrack jq:jq gcc:gcc
  openssl:openssl curl:curl nsenter:util-linux ip:iproute2 ss:iproute2 strip:binutils
  setsid:util-linux findmnt:util-linux
)
missing=()
for pair in "${need[@]}"; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair##*:}")
done
[ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/host-local ] && [ -x /usr/lib/cni/portmap ] || missing+=(containernetworking-plugins)
[ -f /usr/lib/x86_64-linux-gnu/libc.a ] || [ -f /usr/lib/aarch64-linux-gnu/libc.a ] || missing+=(libc6-dev)
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u | sed '/^$/d')
if [ ${#missing[@]} -gt 0 ]; then
  cmd="apt-get update && apt-get install -y ${missing[*]}"
  echo "installing Debian packages: ${missing[*]}"
  t0=$SECONDS
  # Keep the packages' services from starting (on a machine with systemd, docker-registry would
  # listen on *:5000 and containerd on /run/containerd): the lab runs its own, on loopback/netns.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  if ! { timeout 300 apt-get update -qq && DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq "${missing[@]}"; } >"$STATE/apt-install.log" 2>&1; then
    tail -5 "$STATE/apt-install.log" >&2
    lab_fail 11 "missing Debian packages: ${missing[*]} (installing them failed, see $STATE/apt-install.log)" "Install them with \`$cmd\`, then run \`kata lab up\` again."
  fi
  echo "installed ${missing[*]} in $((SECONDS - t0))s"
fi

# The ports the lab publishes on the root namespace's loopback must be free or ours.
for pair in 6443:bridge-api-out 5000:registry; do
  port=${pair%%:*}; owner=${pair##*:}
  pids=$(timeout 5 ss -Hltnp "sport = :$port" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u || true)
  [ -z "$pids" ] && continue
  if ! { running "$owner" && grep -qx "$(cat "$PIDS/$owner.pid")" <<<"$pids"; }; then
    pid=$(head -1 <<<"$pids")
    lab_fail 12 "port 127.0.0.1:$port is busy (pid $pid: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-80))" "Stop that process (or a lab from another checkout: \`kata lab down\` there), then run \`kata lab up\` again."
  fi
done

# Go is needed only when a binary is missing (a warm cache needs no compiler).
for b in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl etcd coredns; do
  [ -x "$BIN/$b" ] && continue
  command -v go >/dev/null 2>&1 || lab_fail 13 "building the lab's binaries needs Go 1.25 or later, and \`go\` is not on PATH" "Install Go from https://go.dev/dl (to /usr/local/go), then run \`kata lab up\` again."
  break
done
exit 0
