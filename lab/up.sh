#!/bin/bash
# Brings the lab up: a single-node Kubernetes ($K8S_VERSION) whose servers all run inside the
# network namespace "kata-lab" (or on 127.0.0.1). Idempotent: what runs is left alone, what is
# built is not rebuilt. One line per stage with its duration.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
mkdir -p "$STATE" "$RUN" "$CFG/cni" "$LOG" "$PIDS" "$SOCK"
T0=$SECONDS

render() {  # render TEMPLATE DEST: fill in the lab's paths
  sed -e "s#@SOCK@#$SOCK#g; s#@RUN@#$RUN#g; s#@CFG@#$CFG#g; s#@PKI@#$PKI#g; s#@NODE_NAME@#$NODE_NAME#g" "$SCRIPTS/config/$1" >"$2.tmp"
  mv "$2.tmp" "$2"
}
config() {
  render containerd.toml "$CFG/containerd.toml"
  render kubelet.yaml "$CFG/kubelet.yaml"
  render kube-proxy.yaml "$CFG/kube-proxy.yaml"
  render 10-kata-lab.conflist "$CFG/cni/10-kata-lab.conflist"
  cp "$SCRIPTS/config/resolv.conf" "$SCRIPTS/config/coredns.yaml" "$CFG/"
  # containerd's registry hosts: docker.io and registry.k8s.io mirrored to the local registry;
  # the local registry's own folder is named host:port (kept out of git: a ':' in a path)
  rm -rf "$CFG/certs.d"; mkdir -p "$CFG/certs.d/$REGISTRY"
  cp -r "$SCRIPTS/config/certs.d/docker.io" "$SCRIPTS/config/certs.d/registry.k8s.io" "$CFG/certs.d/"
  cp "$SCRIPTS/config/certs.d/local-registry.hosts.toml" "$CFG/certs.d/$REGISTRY/hosts.toml"
}

netns() {
  [ -e /run/netns/$NS ] || ip netns add $NS
  "${NSX[@]}" ip link set lo up
  "${NSX[@]}" ip link show $NODE_BRIDGE >/dev/null 2>&1 || "${NSX[@]}" ip link add $NODE_BRIDGE type bridge
  "${NSX[@]}" ip addr replace $NODE_IP/32 dev $NODE_BRIDGE
  "${NSX[@]}" ip link set $NODE_BRIDGE up
  # a default route so that connects to service IPs from the node find a route; it leads nowhere
  "${NSX[@]}" ip route replace default dev $NODE_BRIDGE
  # per-namespace sysctls: the root namespace's stay untouched
  "${NSX[@]}" sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1 net.bridge.bridge-nf-call-ip6tables=1 net.ipv4.conf.all.route_localnet=1
  # Pods may talk to pods and services only: anything else they send is dropped here, in the
  # lab's own FORWARD chain (no masquerading exists, and the namespace has no link out anyway).
  "${NSX[@]}" iptables -w 5 -N $EGRESS_CHAIN 2>/dev/null || true
  "${NSX[@]}" iptables -w 5 -F $EGRESS_CHAIN
  "${NSX[@]}" iptables -w 5 -A $EGRESS_CHAIN -d $POD_RANGE -j RETURN
  "${NSX[@]}" iptables -w 5 -A $EGRESS_CHAIN -d $SVC_CIDR -j RETURN
  "${NSX[@]}" iptables -w 5 -A $EGRESS_CHAIN -m comment --comment "kata-lab: pod egress outside pods/services" -j DROP
  egress_first
}
# The jump to the egress chain must be FORWARD's first rule; kube-proxy prepends its own chains
# when it starts (none of them accepts a new connection from a pod to an outside address, but
# first is simpler to trust), so this runs again once kube-proxy has synced.
egress_first() {
  [ "$("${NSX[@]}" iptables -w 5 -S FORWARD 2>/dev/null | sed -n 2p)" = "-A FORWARD -s $POD_RANGE -j $EGRESS_CHAIN" ] && return 0
  while "${NSX[@]}" iptables -w 5 -D FORWARD -s $POD_RANGE -j $EGRESS_CHAIN 2>/dev/null; do :; done
  "${NSX[@]}" iptables -w 5 -I FORWARD 1 -s $POD_RANGE -j $EGRESS_CHAIN
}

registry_and_images() { "$SCRIPTS/images.sh"; }

bridges() {
  # root 127.0.0.1:6443 -> unix socket -> netns 127.0.0.1:6443 (the API server)
  # netns 127.0.0.1:5000 -> unix socket -> root 127.0.0.1:5000 (the registry)
  running bridge-api-in  || start bridge-api-in  "${NSX[@]}" socat UNIX-LISTEN:"$SOCK/apiserver.sock",fork,unlink-early TCP:127.0.0.1:6443
  running bridge-api-out || start bridge-api-out socat TCP-LISTEN:6443,bind=127.0.0.1,fork,reuseaddr UNIX-CONNECT:"$SOCK/apiserver.sock"
  running bridge-reg-out || start bridge-reg-out socat UNIX-LISTEN:"$SOCK/registry.sock",fork,unlink-early TCP:$REGISTRY
  running bridge-reg-in  || start bridge-reg-in  "${NSX[@]}" socat TCP-LISTEN:5000,bind=127.0.0.1,fork,reuseaddr UNIX-CONNECT:"$SOCK/registry.sock"
  waitfor "registry from the lab's netns" 20 "${NSX[@]}" curl -fs http://127.0.0.1:5000/v2/
}

containerd_() {
  running containerd || start containerd "${NSX[@]}" containerd --config "$CFG/containerd.toml"
  waitfor containerd 30 ctr --address "$SOCK/containerd.sock" version
}

etcd_() {
  running etcd || start etcd "${NSX[@]}" "$BIN/etcd" --name kata-lab --data-dir "$RUN/etcd" \
    --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
    --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
    --initial-cluster kata-lab=http://127.0.0.1:2380 --initial-cluster-state new \
    --listen-metrics-urls http://127.0.0.1:2381
  waitfor etcd 60 "${NSX[@]}" curl -fs http://127.0.0.1:2381/health
}

apiserver() {
  running kube-apiserver || start kube-apiserver "${NSX[@]}" "$BIN/kube-apiserver" \
    --etcd-servers=http://127.0.0.1:2379 \
    --bind-address=0.0.0.0 --secure-port=6443 --advertise-address=$NODE_IP \
    --service-cluster-ip-range=$SVC_CIDR \
    --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
    --client-ca-file="$PKI/ca.crt" \
    --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority="$PKI/ca.crt" --kubelet-preferred-address-types=InternalIP \
    --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction \
    --allow-privileged=true \
    --requestheader-client-ca-file="$PKI/front-proxy-ca.crt" --requestheader-allowed-names=front-proxy-client \
    --requestheader-username-headers=X-Remote-User --requestheader-group-headers=X-Remote-Group \
    --requestheader-extra-headers-prefix=X-Remote-Extra- \
    --proxy-client-cert-file="$PKI/front-proxy-client.crt" --proxy-client-key-file="$PKI/front-proxy-client.key"
  waitfor kube-apiserver 90 curl -fs --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" https://127.0.0.1:6443/readyz
}

kubeconfig_for() {  # kubeconfig_for FILE USER CERT
  local f=$1 k=(timeout 10 "$BIN/kubectl" config "--kubeconfig=$1")
  "${k[@]}" set-cluster kata-lab --server=https://127.0.0.1:6443 --certificate-authority="$PKI/ca.crt" --embed-certs >/dev/null
  "${k[@]}" set-credentials "$2" --client-certificate="$PKI/$3.crt" --client-key="$PKI/$3.key" --embed-certs >/dev/null
  "${k[@]}" set-context kata-lab --cluster=kata-lab --user="$2" >/dev/null
  "${k[@]}" use-context kata-lab >/dev/null
  chmod 600 "$f"
}
kubeconfigs() {
  [ -f "$KUBECONFIG_FILE" ] || kubeconfig_for "$KUBECONFIG_FILE" kata-lab-admin admin
  for c in kubelet controller-manager scheduler kube-proxy; do
    [ -f "$CFG/$c.kubeconfig" ] || kubeconfig_for "$CFG/$c.kubeconfig" "$c" "$c"
  done
}

kubelet_() {
  mkdir -p "$RUN/kubelet" "$RUN/pod-logs"
  running kubelet || start kubelet "${NSX[@]}" "$BIN/kubelet" --config="$CFG/kubelet.yaml" --kubeconfig="$CFG/kubelet.kubeconfig" \
    --node-ip=$NODE_IP --hostname-override=$NODE_NAME --root-dir="$RUN/kubelet" --cert-dir="$RUN/kubelet/pki" --v=1
  waitfor kubelet 60 "${NSX[@]}" curl -fs http://127.0.0.1:10248/healthz
}

controller_manager() {
  running kube-controller-manager || start kube-controller-manager "${NSX[@]}" "$BIN/kube-controller-manager" \
    --kubeconfig="$CFG/controller-manager.kubeconfig" \
    --authentication-kubeconfig="$CFG/controller-manager.kubeconfig" --authorization-kubeconfig="$CFG/controller-manager.kubeconfig" \
    --bind-address=127.0.0.1 --leader-elect=false \
    --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
    --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
    --use-service-account-credentials=true \
    --service-cluster-ip-range=$SVC_CIDR --cluster-cidr=$POD_CIDR --allocate-node-cidrs=false \
    --controllers='*,-cloud-node-lifecycle-controller'
  waitfor kube-controller-manager 60 "${NSX[@]}" curl -fsk https://127.0.0.1:10257/healthz
}

scheduler() {
  running kube-scheduler || start kube-scheduler "${NSX[@]}" "$BIN/kube-scheduler" \
    --kubeconfig="$CFG/scheduler.kubeconfig" \
    --authentication-kubeconfig="$CFG/scheduler.kubeconfig" --authorization-kubeconfig="$CFG/scheduler.kubeconfig" \
    --bind-address=127.0.0.1 --leader-elect=false
  waitfor kube-scheduler 60 "${NSX[@]}" curl -fsk https://127.0.0.1:10259/healthz
}

kube_proxy() {
  running kube-proxy || start kube-proxy "${NSX[@]}" "$BIN/kube-proxy" --config="$CFG/kube-proxy.yaml" --v=1
  waitfor kube-proxy 60 "${NSX[@]}" curl -fs http://127.0.0.1:10256/healthz
  waitfor "kube-proxy's first sync" 30 "${NSX[@]}" iptables -w 5 -S KUBE-FORWARD
  egress_first
}

coredns() {
  kctl apply -f "$CFG/coredns.yaml" >/dev/null
}

ready() {
  waitfor "node $NODE_NAME Ready" 120 "$BIN/kubectl" wait --for=condition=Ready "node/$NODE_NAME" --timeout=4s
  timeout 200 "$BIN/kubectl" -n kube-system rollout status deploy/coredns --timeout=180s >/dev/null
  # The default service account appears a moment after the namespace: pods need it.
  waitfor "service account default/default" 60 "$BIN/kubectl" -n default get serviceaccount default
  # A lab whose state holds the mesh (installed once by `kata lab up --mesh`) brings istiod back
  # too: pods in injected namespaces cannot be created before its webhook answers.
  if kctl -n istio-system get deployment istiod >/dev/null 2>&1; then
    timeout 320 "$BIN/kubectl" -n istio-system rollout status deployment/istiod --timeout=300s >/dev/null
    istiod_answers 120
  fi
}

echo "kata lab: bringing up Kubernetes $K8S_VERSION in network namespace $NS"
stage preflight "$SCRIPTS/deps.sh"
stage binaries "$SCRIPTS/build.sh"
stage pki "$SCRIPTS/pki.sh"
stage config config
stage netns netns
stage images registry_and_images
stage bridges bridges
stage containerd containerd_
stage etcd etcd_
stage kube-apiserver apiserver
stage kubeconfig kubeconfigs
stage kubelet kubelet_
stage kube-controller-manager controller_manager
stage kube-scheduler scheduler
stage kube-proxy kube_proxy
stage coredns coredns
stage ready ready
echo "kata lab: up in $((SECONDS - T0))s"
