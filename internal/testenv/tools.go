// Package testenv starts the real servers that integration tests run
// against: a kube-apiserver with etcd (through controller-runtime's envtest)
// and a Consul dev agent, each on free loopback ports, from the binaries
// `make tools` builds into a cache directory.
package testenv

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// toolVersionsFile lists the tools and their versions; the Makefile reads
// the same file, so the two never disagree on where a binary lives.
const toolVersionsFile = "hack/tool-versions"

// ToolsDir is where `make tools` puts binaries: $EMISSARY_TOOLS_DIR when
// set (the Makefile sets it for tests), else <user cache dir>/emissary-go/tools.
func ToolsDir() (string, error) {
	if dir := os.Getenv("EMISSARY_TOOLS_DIR"); dir != "" {
		return dir, nil
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("locating the tools cache: %w", err)
	}
	return filepath.Join(cache, "emissary-go", "tools"), nil
}

// ToolPath returns the path of a built tool, or an error that tells the
// reader how to build it.
func ToolPath(name string) (string, error) {
	versions, err := toolVersions()
	if err != nil {
		return "", err
	}
	version, ok := versions[name]
	if !ok {
		return "", fmt.Errorf("%s is not listed in %s", name, toolVersionsFile)
	}
	dir, err := ToolsDir()
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, name+"-"+version, name)
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("%s %s is not built (%v): run `make tools` first (`make test` does it for you)", name, version, err)
	}
	return path, nil
}

// toolVersions reads hack/tool-versions from the module root.
func toolVersions() (map[string]string, error) {
	root, err := moduleRoot()
	if err != nil {
		return nil, err
	}
	f, err := os.Open(filepath.Join(root, toolVersionsFile))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	versions := map[string]string{}
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		line := strings.TrimSpace(scanner.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 2 {
			return nil, fmt.Errorf("%s: malformed line %q, want NAME VERSION", toolVersionsFile, line)
		}
		versions[fields[0]] = fields[1]
	}
	return versions, scanner.Err()
}

// moduleRoot walks up from the working directory (a package directory
// under `go test`) to the directory holding go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}
