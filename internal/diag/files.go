package diag

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Paths are where diagd writes, named as Emissary names them.
type Paths struct {
	// Bootstrap is bootstrap-ads.json, what Envoy starts with.
	Bootstrap string
	// EnvoyConfig is envoy.json, what ambex serves.
	EnvoyConfig string
	// ClusterMap is clustermap.json, beside the bootstrap.
	ClusterMap string
	// SnapshotDir holds the rotated snapshot.yaml, aconf.json, ir.json
	// and econf.json, and the TLS certificates Envoy reads.
	SnapshotDir string
}

// PathsFromEnv are Emissary's defaults: everything under
// AMBASSADOR_CONFIG_BASE_DIR (else ambassador_root, else /ambassador),
// with ENVOY_DIR, snapshot_dir, envoy_config_file and
// ENVOY_BOOTSTRAP_FILE overriding their parts.
func PathsFromEnv(getenv func(string) string) Paths {
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	base := env("AMBASSADOR_CONFIG_BASE_DIR", env("ambassador_root", "/ambassador"))
	envoyDir := env("ENVOY_DIR", filepath.Join(base, "envoy"))
	p := Paths{
		Bootstrap:   env("ENVOY_BOOTSTRAP_FILE", filepath.Join(base, "bootstrap-ads.json")),
		EnvoyConfig: env("envoy_config_file", filepath.Join(envoyDir, "envoy.json")),
		SnapshotDir: env("snapshot_dir", filepath.Join(base, "snapshots")),
	}
	p.ClusterMap = filepath.Join(filepath.Dir(p.Bootstrap), "clustermap.json")
	return p
}

// snapshotFiles are the files of one snapshot generation, by the name
// format their generations take (snapshot.yaml, snapshot-1.yaml, ...).
var snapshotFiles = []string{"snapshot%s.yaml", "aconf%s.json", "ir%s.json", "econf%s.json"}

// rotateSnapshots keeps count older generations of the snapshot files,
// as Emissary does: snapshot.yaml becomes snapshot-1.yaml, -1 becomes -2,
// and so on up to -count; then the new generation (written with the -tmp
// suffix) becomes current. Missing files are skipped: snapshots are a
// debugging aid, never a reason to fail a reconfiguration.
func rotateSnapshots(dir string, count int) error {
	var moves [][2]string
	for i := count - 1; i >= 1; i-- {
		moves = append(moves, [2]string{fmt.Sprintf("-%d", i), fmt.Sprintf("-%d", i+1)})
	}
	if count > 0 {
		moves = append(moves, [2]string{"", "-1"})
	}
	moves = append(moves, [2]string{"-tmp", ""})
	var errs []error
	for _, m := range moves {
		for _, format := range snapshotFiles {
			from := filepath.Join(dir, fmt.Sprintf(format, m[0]))
			to := filepath.Join(dir, fmt.Sprintf(format, m[1]))
			if err := os.Rename(from, to); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// writeFile replaces path atomically: readers see the old file or the new
// one, never a part, and after a crash the same.
func writeFile(path string, data []byte, mode os.FileMode) error {
	return writeFileFrom(path, bytes.NewReader(data), mode)
}

// writeFileFrom is writeFile with the content from src.
func writeFileFrom(path string, src io.WriterTo, mode os.FileMode) error {
	f, err := stageFile(path, src, mode)
	if err != nil {
		return err
	}
	return f.commit()
}

// stagedFile is a file's new content, written and synced under a
// temporary name beside it: commit puts it in place, discard drops it.
// Staging lets a large file be written while something else is made.
type stagedFile struct {
	tmp, path string
}

func stageFile(path string, src io.WriterTo, mode os.FileMode) (*stagedFile, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, err
	}
	staged := &stagedFile{tmp: tmp.Name(), path: path}
	if _, err := src.WriteTo(tmp); err != nil {
		tmp.Close()
		staged.discard()
		return nil, err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		staged.discard()
		return nil, err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		staged.discard()
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		staged.discard()
		return nil, err
	}
	return staged, nil
}

func (f *stagedFile) commit() error {
	if err := os.Rename(f.tmp, f.path); err != nil {
		f.discard()
		return fmt.Errorf("writing %s: %w", f.path, err)
	}
	// The rename itself is on disk once the directory is.
	if dir, err := os.Open(filepath.Dir(f.path)); err == nil {
		dir.Sync()
		dir.Close()
	}
	return nil
}

func (f *stagedFile) discard() { os.Remove(f.tmp) }

// writeIfChanged writes path only when its content would change, and
// reports whether it did.
func writeIfChanged(path string, data []byte, mode os.FileMode) (bool, error) {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return false, nil
	}
	return true, writeFile(path, data, mode)
}

// fileExists is how the translator learns whether a file the
// configuration names (an error body's text_format_source) is there for
// Envoy to read.
func fileExists(name string) bool {
	st, err := os.Stat(name)
	return err == nil && !st.IsDir()
}
