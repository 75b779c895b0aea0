#!/bin/bash
# Stops everything `up.sh` started (by recorded pid only), kills the pods' containers, unmounts
# what the lab mounted, deletes the lab's network namespace (and with it every iptables rule the
# lab and kube-proxy added: none are in the root namespace) and the kubepods cgroups.
# Usage: down.sh [--purge]   --purge also deletes the cluster state (etcd, containerd, kubelet);
# built binaries, images (registry) and certificates are kept either way.
set -uo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
T0=$SECONDS
CTR=(timeout 20 ctr --address "$SOCK/containerd.sock" -n k8s.io)

stop() {  # stop NAME: SIGTERM, up to 10 s, then SIGKILL (only the recorded pid)
  local n=$1 pid
  [ -f "$PIDS/$n.pid" ] || return 0
  pid=$(cat "$PIDS/$n.pid")
  if running "$n"; then
    kill "$pid" 2>/dev/null
    for _ in $(seq 40); do running "$n" || break; sleep 0.25; done
    if running "$n"; then echo "  $n ignored SIGTERM for 10s: SIGKILL"; kill -9 "$pid" 2>/dev/null; sleep 0.3; fi
    echo "  stopped $n ($pid)"
  fi
  rm -f "$PIDS/$n.pid" "$PIDS/$n.start"
}

# 1. the node agents first (kubelet would restart containers), then every container
for n in $COMPONENTS_STOP_ORDER; do stop "$n"; done
if running containerd; then
  for id in $("${CTR[@]}" tasks ls -q 2>/dev/null); do "${CTR[@]}" tasks kill -s SIGKILL "$id" >/dev/null 2>&1; done
  sleep 1
  for id in $("${CTR[@]}" tasks ls -q 2>/dev/null); do "${CTR[@]}" tasks delete -f "$id" >/dev/null 2>&1; done
  for id in $("${CTR[@]}" containers ls -q 2>/dev/null); do "${CTR[@]}" containers delete "$id" >/dev/null 2>&1; done
fi
# container processes and shims that survived: the shims' pid files, then the kubepods cgroups
for f in "$RUN"/containerd/state/io.containerd.runtime.v2.task/*/*/shim.pid; do
  [ -f "$f" ] || continue
  p=$(cat "$f")
  if [ -d "/proc/$p" ] && grep -q containerd-shim "/proc/$p/cmdline" 2>/dev/null; then kill -9 "$p" && echo "  killed shim $p"; fi
done
while IFS= read -r -d '' procs; do
  while read -r p; do kill -9 "$p" 2>/dev/null && echo "  killed container process $p"; done <"$procs"
done < <(find /sys/fs/cgroup/*/kubepods -name cgroup.procs -print0 2>/dev/null)

# 2. runtime, control plane, bridges, registry
for n in $COMPONENTS_LATE; do stop "$n"; done

# 3. every mount below the cache (pod volumes, overlay rootfs, pod netns files), deepest first
findmnt -rn -o TARGET | grep "^$STATE/" | sort -r | while read -r m; do umount "$m" 2>/dev/null || umount -l "$m"; done
left=$(findmnt -rn -o TARGET | grep -c "^$STATE/")
[ "$left" = 0 ] || echo "  WARNING: $left mounts left under $STATE"

# 4. the network namespace: takes the bridges, veths and all the lab's iptables rules with it
if [ -e /run/netns/$NS ]; then ip netns del $NS && echo "  deleted network namespace $NS"; fi
if [ -d /run/netns ] && [ -z "$(ls -A /run/netns)" ]; then umount /run/netns 2>/dev/null; rmdir /run/netns 2>/dev/null; fi

# 5. cgroups kubelet and runc created (cgroup v1, cgroupfs driver), deepest first
for h in /sys/fs/cgroup/*/; do
  [ -d "$h/kubepods" ] || continue
  find "$h/kubepods" -depth -type d -exec rmdir {} \; 2>/dev/null
  [ -d "$h/kubepods" ] && echo "  WARNING: $h/kubepods still present"
done

# 6. containerd 1.6 hard-codes /run/containerd/{s,runc}: remove what it left if empty
rmdir /run/containerd/s /run/containerd/runc/k8s.io /run/containerd/runc /run/containerd 2>/dev/null
rm -f "$SOCK"/*.sock "$SOCK"/*.ttrpc 2>/dev/null

# --purge forgets the cluster (etcd, containerd's images and containers, kubelet, logs), never
# the build cache; and not while something is still mounted below it (rm would go into the mount).
if [ "${1:-}" = --purge ]; then
  if [ "$left" = 0 ]; then rm -rf "$RUN"; echo "  purged the cluster state ($RUN)"
  else echo "  NOT purged: $left mounts are left under $STATE; run \`kata lab down --purge\` again"; fi
fi
echo "kata lab: down in $((SECONDS - T0))s"
