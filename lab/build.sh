#!/bin/bash
# Builds the lab's binaries from the Go modules in lab/go-* into $KATA_LAB_DIR/bin, each only when
# it is missing (a warm cache builds nothing). Usage: build.sh [component...]  (default: all)
# CGO off, static, stripped, version stamped; `nice -n 15` because others share the CPU.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
mkdir -p "$BIN"
export CGO_ENABLED=0
LD="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  LD="$LD -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=34 -X $p.gitTreeState=clean -X $p.buildDate=2026-01-01T00:00:00Z"
done
comps=("$@")
[ ${#comps[@]} -eq 0 ] && comps=(kube-apiserver kubelet kube-controller-manager kube-scheduler kube-proxy kubectl etcd coredns)
for c in "${comps[@]}"; do
  [ -x "$BIN/$c" ] && continue
  case $c in
    kube-apiserver) eta="~5 min cold: it compiles the shared Kubernetes packages";;
    coredns) eta="~3-4 min cold";;
    pilot-discovery) eta="~7 min cold: it compiles Istio's shared packages";;
    *) eta="~1 min cold";;
  esac
  echo "building $c ($eta)"
  t0=$SECONDS
  case $c in
    etcd)    (cd "$SCRIPTS/go-etcd" && nice -n 15 go build -trimpath -ldflags "-s -w" -o "$BIN/.$c.tmp" go.etcd.io/etcd/server/v3) ;;
    etcdctl) (cd "$SCRIPTS/go-etcd" && nice -n 15 go build -trimpath -ldflags "-s -w" -o "$BIN/.$c.tmp" go.etcd.io/etcd/etcdctl/v3) ;;
    coredns) (cd "$SCRIPTS/go-coredns" && nice -n 15 go build -trimpath -ldflags "-s -w" -o "$BIN/.$c.tmp" github.com/coredns/coredns) ;;
    pilot-discovery|pilot-agent)
      (cd "$SCRIPTS/go-istio" && nice -n 15 go build -trimpath -ldflags "-s -w -X istio.io/istio/pkg/version.buildVersion=$ISTIO_TAG -X istio.io/istio/pkg/version.buildStatus=Clean" -o "$BIN/.$c.tmp" "istio.io/istio/pilot/cmd/$c") ;;
    istioctl)
      (cd "$SCRIPTS/go-istio" && nice -n 15 go build -trimpath -ldflags "-s -w -X istio.io/istio/pkg/version.buildVersion=$ISTIO_TAG -X istio.io/istio/pkg/version.buildStatus=Clean" -o "$BIN/.$c.tmp" istio.io/istio/istioctl/cmd/istioctl) ;;
    kube-apiserver|kubelet|kube-controller-manager|kube-scheduler|kube-proxy|kubectl)
      (cd "$SCRIPTS/go-k8s" && nice -n 15 go build -trimpath -tags providerless -ldflags "$LD" -o "$BIN/.$c.tmp" "k8s.io/kubernetes/cmd/$c") ;;
    *) echo "unknown component $c" >&2; exit 2 ;;
  esac
  mv "$BIN/.$c.tmp" "$BIN/$c"   # atomic: an interrupted build leaves no half binary that would count as built
  echo "built $c in $((SECONDS - t0))s ($(du -h "$BIN/$c" | cut -f1))"
done
