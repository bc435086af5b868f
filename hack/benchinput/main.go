// Command benchinput writes the translator benchmark's generated inputs
// (diagtest.Snapshot) as Kubernetes YAML, bench-<n>.yaml, so that other
// translators (Emissary's, see hack/emissary-bench) can be timed on the
// same resources.
//
//	go run ./hack/benchinput -dir /tmp 100 1000 10000
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/emissary-go/emissary/internal/diag/diagtest"
)

func main() {
	dir := flag.String("dir", ".", "directory to write bench-<n>.yaml into")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: benchinput [-dir DIR] N...")
		os.Exit(2)
	}
	for _, arg := range flag.Args() {
		n, err := strconv.Atoi(arg)
		if err != nil || n < 0 {
			fmt.Fprintf(os.Stderr, "benchinput: %q is not a number of Mappings\n", arg)
			os.Exit(2)
		}
		data, err := diagtest.YAML(n)
		if err != nil {
			fmt.Fprintln(os.Stderr, "benchinput:", err)
			os.Exit(1)
		}
		path := filepath.Join(*dir, fmt.Sprintf("bench-%d.yaml", n))
		if err := os.WriteFile(path, data, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "benchinput:", err)
			os.Exit(1)
		}
		fmt.Println(path)
	}
}
