// Package version reports what this build of busy is made of.
package version

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	// The binary must carry the Envoy API definitions it generates config
	// for; importing the bootstrap protos here guarantees that the
	// go-control-plane module is linked, so its version is in the build info
	// even in builds that leave the translator out.
	_ "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
)

// Version is the release this binary was built from. The Makefile sets it
// with -ldflags "-X github.com/emissary-go/emissary/internal/version.Version=...".
var Version = "dev"

// goControlPlaneModule is the go-control-plane module that holds the Envoy
// v3 protos; its version says which Envoy API this build speaks.
const goControlPlaneModule = "github.com/envoyproxy/go-control-plane/envoy"

// Info describes one build.
type Info struct {
	Version        string `json:"version"`
	GoVersion      string `json:"goVersion"`
	GoControlPlane string `json:"goControlPlane"`
}

// Get returns the running binary's build information.
func Get() Info {
	info := Info{Version: Version, GoVersion: runtime.Version(), GoControlPlane: "unknown"}
	if bi, ok := debug.ReadBuildInfo(); ok {
		info.GoControlPlane = moduleVersion(bi, goControlPlaneModule)
	}
	return info
}

// moduleVersion finds path among the build's dependencies, following a
// replace directive to the version actually linked.
func moduleVersion(bi *debug.BuildInfo, path string) string {
	for _, dep := range bi.Deps {
		if dep.Path != path {
			continue
		}
		if dep.Replace != nil {
			dep = dep.Replace
		}
		return dep.Version
	}
	return "unknown"
}

// Write prints info the way `busy version` shows it.
func (i Info) Write(w io.Writer) error {
	_, err := fmt.Fprintf(w, "Version %s\nGo %s\ngo-control-plane %s\n", i.Version, i.GoVersion, i.GoControlPlane)
	return err
}
