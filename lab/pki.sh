#!/bin/bash
# Generates the lab's CA and every certificate/key (openssl) into $KATA_LAB_DIR/pki, once.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
mkdir -p "$PKI"; cd "$PKI"
ca() {  # ca NAME CN
  [ -f "$1.key" ] && return 0
  openssl genrsa -out "$1.key" 2048 2>/dev/null
  openssl req -x509 -new -nodes -key "$1.key" -subj "/CN=$2" -days 3650 -out "$1.crt"
}
cert() {  # cert NAME SUBJ [SAN] [EKU] [CA]
  local n=$1 subj=$2 san=${3:-} eku=${4:-clientAuth} ca=${5:-ca}
  [ -f "$n.crt" ] && return 0
  openssl genrsa -out "$n.key" 2048 2>/dev/null
  openssl req -new -key "$n.key" -subj "$subj" -out "$n.csr"
  { echo "basicConstraints=CA:FALSE"; echo "keyUsage=critical,digitalSignature,keyEncipherment"; echo "extendedKeyUsage=$eku"; [ -n "$san" ] && echo "subjectAltName=$san"; } >"$n.ext"
  openssl x509 -req -in "$n.csr" -CA "$ca.crt" -CAkey "$ca.key" -CAcreateserial -days 3650 -extfile "$n.ext" -out "$n.crt" 2>/dev/null
  rm -f "$n.csr" "$n.ext"
}
ca ca kata-lab-ca
ca front-proxy-ca kata-lab-front-proxy-ca
[ -f sa.key ] || { openssl genrsa -out sa.key 2048 2>/dev/null; openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null; }
cert apiserver "/CN=kube-apiserver" "IP:127.0.0.1,IP:$SVC_IP,IP:$NODE_IP,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local" serverAuth
cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client"
cert admin "/O=system:masters/CN=kubernetes-admin"
cert kubelet "/O=system:nodes/CN=system:node:$NODE_NAME"
cert kubelet-serving "/CN=$NODE_NAME" "IP:$NODE_IP,IP:127.0.0.1,DNS:$NODE_NAME" serverAuth
cert controller-manager "/CN=system:kube-controller-manager"
cert scheduler "/CN=system:kube-scheduler"
cert kube-proxy "/CN=system:kube-proxy"
cert front-proxy-client "/CN=front-proxy-client" "" clientAuth front-proxy-ca
chmod 600 ./*.key
