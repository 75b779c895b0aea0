//go:build tools

// Package tools pins the Istio binaries the lab's mesh builds: istiod (pilot-discovery), the
// sidecar's agent (pilot-agent) and istioctl, all from one Istio module version.
package tools

import (
	_ "istio.io/istio/istioctl/cmd/istioctl"
	_ "istio.io/istio/pilot/cmd/pilot-agent"
	_ "istio.io/istio/pilot/cmd/pilot-discovery"
)
