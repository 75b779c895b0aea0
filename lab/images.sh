#!/bin/bash
# Builds the lab's images from Debian packages (mmdebstrap + buildah with the vfs driver, no
# Docker) and pushes them to a docker-registry on 127.0.0.1:5000, which containerd uses as the
# mirror of docker.io and registry.k8s.io. Each image is built only when the registry lacks it
# (FORCE=1 rebuilds). Starts the registry when it is not running.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
IMG=$STATE/images
mkdir -p "$IMG" "$STATE/registry" "$CFG" "$LOG" "$PIDS"
BUILDAH=(buildah --root "$IMG/buildah/root" --runroot "$IMG/buildah/runroot" --storage-driver vfs)
SYS_PATH=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# --- registry: loopback only, storage in $KATA_LAB_DIR/registry (kept by `down`) ---
cat >"$CFG/registry.yml" <<EOR
version: 0.1
log: {level: warn}
storage:
  filesystem: {rootdirectory: $STATE/registry}
  delete: {enabled: true}
http:
  addr: $REGISTRY
EOR
if ! running registry; then
  start registry docker-registry serve "$CFG/registry.yml"
fi
waitfor registry 20 curl -fsS "http://$REGISTRY/v2/"

have() {  # have REPO TAG: the registry holds it
  timeout 10 curl -fs -o /dev/null -H 'Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' "http://$REGISTRY/v2/$1/manifests/$2"
}
push() {  # push CONTAINER REPO:TAG...
  local c=$1; shift
  for ref in "$@"; do timeout 300 "${BUILDAH[@]}" commit --quiet --tls-verify=false "$c" "docker://$REGISTRY/$ref" >/dev/null; done
  "${BUILDAH[@]}" rm "$c" >/dev/null
}
# debian_rootfs NAME PACKAGES HOOK...: a bookworm minbase root file system as a tar
debian_rootfs() {
  local name=$1 pkgs=$2; shift 2
  local hooks=()
  for h in "$@"; do hooks+=(--customize-hook="$h"); done
  rm -rf "$IMG/$name.tmp.tar" "$IMG/$name.tar"
  # shellcheck disable=SC2016  # "$1" in a hook is the root file system: mmdebstrap's shell expands it, not this one
  timeout 900 mmdebstrap --quiet --variant=minbase --include="$pkgs" \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/usr/share/doc/* "$1"/usr/share/man/*' \
    "${hooks[@]}" bookworm "$IMG/$name.tmp.tar"
  mv "$IMG/$name.tmp.tar" "$IMG/$name.tar"
}
built=()

# --- pause: upstream build/pause/linux/pause.c from the Kubernetes module, static ---
if [ "${FORCE:-}" = 1 ] || ! have pause 3.10.1; then
  t0=$SECONDS; echo "image pause: compiling upstream pause.c"
  kdir=$(cd "$SCRIPTS/go-k8s" && timeout 600 go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | jq -r .Dir)
  mkdir -p "$IMG/pause"
  gcc -Os -Wall -Werror -static -DVERSION="$K8S_VERSION-kata-lab" -o "$IMG/pause/pause" "$kdir/build/pause/linux/pause.c"
  strip "$IMG/pause/pause"
  c=$("${BUILDAH[@]}" from scratch)
  "${BUILDAH[@]}" copy "$c" "$IMG/pause/pause" /pause >/dev/null
  "${BUILDAH[@]}" config --entrypoint '["/pause"]' --user 65535:65535 "$c"
  push "$c" pause:3.10 pause:3.10.1
  built+=("pause ($((SECONDS - t0))s)")
fi

# --- nginx: Debian nginx-light, its default page is "Welcome to nginx!" ---
if [ "${FORCE:-}" = 1 ] || ! have library/nginx latest; then
  t0=$SECONDS; echo "image nginx: mmdebstrap bookworm + nginx-light"
  # shellcheck disable=SC2016  # "$1" in a hook is the root file system: mmdebstrap's shell expands it, not this one
  debian_rootfs nginx nginx-light,curl,ca-certificates \
    'ln -sf /dev/stdout "$1"/var/log/nginx/access.log; ln -sf /dev/stderr "$1"/var/log/nginx/error.log'
  grep -q 'Welcome to nginx!' <(tar -xOf "$IMG/nginx.tar" ./var/www/html/index.nginx-debian.html) \
    || { echo "nginx image: default page lacks 'Welcome to nginx!'" >&2; exit 1; }
  c=$("${BUILDAH[@]}" from scratch)
  "${BUILDAH[@]}" add "$c" "$IMG/nginx.tar" / >/dev/null
  "${BUILDAH[@]}" config --env "$SYS_PATH" --cmd '["nginx","-g","daemon off;"]' --port 80 --stop-signal SIGQUIT "$c"
  push "$c" library/nginx:latest
  rm -f "$IMG/nginx.tar"
  built+=("nginx ($((SECONDS - t0))s)")
fi

# --- praqma/network-multitool: the tools, and nginx in the foreground like the real one ---
if [ "${FORCE:-}" = 1 ] || ! have praqma/network-multitool latest; then
  t0=$SECONDS; echo "image praqma/network-multitool: mmdebstrap bookworm + network tools"
  # shellcheck disable=SC2016  # "$1" in a hook is the root file system: mmdebstrap's shell expands it, not this one
  debian_rootfs multitool \
    bash,curl,tcpdump,iproute2,jq,procps,dnsutils,iputils-ping,netcat-openbsd,ca-certificates,nginx-light \
    'ln -sf /dev/stdout "$1"/var/log/nginx/access.log; ln -sf /dev/stderr "$1"/var/log/nginx/error.log' \
    'printf "%s\n" "#!/bin/sh" "# like the real multitool: a page naming the pod, then nginx in the foreground" "echo \"Praqma Network MultiTool (with NGINX) - \$(cat /proc/sys/kernel/hostname)\" > /var/www/html/index.html" "exec \"\$@\"" > "$1"/docker-entrypoint.sh; chmod 755 "$1"/docker-entrypoint.sh'
  c=$("${BUILDAH[@]}" from scratch)
  "${BUILDAH[@]}" add "$c" "$IMG/multitool.tar" / >/dev/null
  "${BUILDAH[@]}" config --env "$SYS_PATH" --entrypoint '["/docker-entrypoint.sh"]' --cmd '["nginx","-g","daemon off;"]' --port 80 --stop-signal SIGQUIT "$c"
  push "$c" praqma/network-multitool:latest
  rm -f "$IMG/multitool.tar"
  built+=("praqma/network-multitool ($((SECONDS - t0))s)")
fi

# --- busybox: Debian busybox-static, applets as symlinks (note: its `wget -T` segfaults) ---
if [ "${FORCE:-}" = 1 ] || ! have library/busybox latest; then
  t0=$SECONDS; echo "image busybox: busybox-static"
  rm -rf "$IMG/busybox" && mkdir -p "$IMG/busybox/root/bin" "$IMG/busybox/root/tmp"
  (cd "$IMG/busybox" && timeout 300 apt-get download busybox-static >/dev/null 2>&1 && dpkg-deb -x busybox-static_*.deb x)
  cp "$IMG/busybox/x/bin/busybox" "$IMG/busybox/root/bin/busybox"
  for a in $("$IMG/busybox/root/bin/busybox" --list); do [ "$a" = busybox ] || ln -sf busybox "$IMG/busybox/root/bin/$a"; done
  chmod 1777 "$IMG/busybox/root/tmp"
  c=$("${BUILDAH[@]}" from scratch)
  "${BUILDAH[@]}" copy "$c" "$IMG/busybox/root" / >/dev/null
  "${BUILDAH[@]}" config --cmd '["sh"]' --env PATH=/bin "$c"
  push "$c" library/busybox:latest
  rm -rf "$IMG/busybox"
  built+=("busybox ($((SECONDS - t0))s)")
fi

# --- coredns: the binary built from lab/go-coredns ---
if [ "${FORCE:-}" = 1 ] || ! have coredns/coredns "$COREDNS_VERSION"; then
  t0=$SECONDS; echo "image coredns"
  c=$("${BUILDAH[@]}" from scratch)
  "${BUILDAH[@]}" copy "$c" "$BIN/coredns" /coredns >/dev/null
  "${BUILDAH[@]}" config --entrypoint '["/coredns"]' --port 53/udp --port 53/tcp --port 9153/tcp "$c"
  push "$c" "coredns/coredns:$COREDNS_VERSION"
  built+=("coredns ($((SECONDS - t0))s)")
fi

# --- the mesh (MESH=1, from lab/mesh.sh): istio/proxyv2 (pilot-agent + upstream Envoy, uid 1337,
# iptables for the init container, Istio's bootstrap template) and istio/pilot (istiod), on one
# Debian root file system like Istio's own "debug" base image ---
if [ "${MESH:-}" = 1 ] && { [ "${FORCE:-}" = 1 ] || ! have istio/proxyv2 "$ISTIO_TAG" || ! have istio/pilot "$ISTIO_TAG"; }; then
  t0=$SECONDS; echo "images istio/proxyv2 and istio/pilot: mmdebstrap bookworm + iptables, Envoy $ENVOY_VERSION, pilot-agent, istiod"
  idir=$(cd "$SCRIPTS/go-istio" && timeout 600 go mod download -json istio.io/istio | jq -r .Dir)
  # shellcheck disable=SC2016  # "$1" in a hook is the root file system: mmdebstrap's shell expands it, not this one
  debian_rootfs istio-base ca-certificates,iptables,iproute2,curl,passwd \
    'chroot "$1" useradd -m --uid 1337 istio-proxy'
  c=$("${BUILDAH[@]}" from scratch)
  "${BUILDAH[@]}" add "$c" "$IMG/istio-base.tar" / >/dev/null
  "${BUILDAH[@]}" copy "$c" "$idir/tools/packaging/common/envoy_bootstrap.json" /var/lib/istio/envoy/envoy_bootstrap_tmpl.json >/dev/null
  "${BUILDAH[@]}" copy "$c" "$BIN/envoy" /usr/local/bin/envoy >/dev/null
  "${BUILDAH[@]}" copy "$c" "$BIN/pilot-agent" /usr/local/bin/pilot-agent >/dev/null
  "${BUILDAH[@]}" config --env "$SYS_PATH" --env "ISTIO_META_ISTIO_PROXY_SHA=envoy-$ENVOY_VERSION" --entrypoint '["/usr/local/bin/pilot-agent"]' "$c"
  push "$c" "istio/proxyv2:$ISTIO_TAG"
  c=$("${BUILDAH[@]}" from scratch)
  "${BUILDAH[@]}" add "$c" "$IMG/istio-base.tar" / >/dev/null
  "${BUILDAH[@]}" copy "$c" "$BIN/pilot-discovery" /usr/local/bin/pilot-discovery >/dev/null
  "${BUILDAH[@]}" config --env "$SYS_PATH" --user 1337:1337 --entrypoint '["/usr/local/bin/pilot-discovery"]' "$c"
  push "$c" "istio/pilot:$ISTIO_TAG"
  rm -f "$IMG/istio-base.tar"
  built+=("istio/proxyv2 istio/pilot ($((SECONDS - t0))s)")
fi

# The registry holds the images now; buildah's vfs copies are only disk.
if [ ${#built[@]} -gt 0 ]; then
  "${BUILDAH[@]}" rmi --all --force >/dev/null 2>&1 || true
  echo "images built: ${built[*]}"
fi
