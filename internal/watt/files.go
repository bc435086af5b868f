package watt

import (
	"context"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/fsnotify/fsnotify"

	"github.com/emissary-go/emissary/internal/snapshot"
)

// Files is files mode's source: a directory tree of YAML, read again
// (when a snapshot is next taken) after any change in it: files written,
// created, renamed over (editors' atomic saves), deleted, directories
// added, and the ..data symlink swap with which Kubernetes updates a
// mounted ConfigMap.
type Files struct {
	Dir       string
	Namespace string
	Log       *slog.Logger

	mu    sync.Mutex
	dirty bool
	last  *snapshot.Snapshot
	// parsed keeps each file's parse: after an edit, only the edited file
	// is parsed again.
	parsed snapshot.FileCache
}

// Run watches the tree until ctx is done.
func (f *Files) Run(ctx context.Context, changed func()) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	defer w.Close()
	if err := f.watchTree(w, f.Dir); err != nil {
		return err
	}
	f.mu.Lock()
	f.dirty = true
	f.mu.Unlock()
	changed()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-w.Errors:
			f.Log.Warn("watching files", "error", err)
		case ev := <-w.Events:
			if ev.Has(fsnotify.Create) {
				// A new directory (or a link to one) is watched too.
				if info, err := os.Stat(ev.Name); err == nil && info.IsDir() {
					if err := f.watchTree(w, ev.Name); err != nil {
						f.Log.Warn("watching a new directory", "dir", ev.Name, "error", err)
					}
				}
			}
			if ev.Has(fsnotify.Chmod) && !ev.Has(fsnotify.Write) {
				continue
			}
			f.mu.Lock()
			f.dirty = true
			f.mu.Unlock()
			changed()
		}
	}
}

// watchTree watches dir and every directory below it, following links
// (a mounted ConfigMap's files are links into its ..data directory).
func (f *Files) watchTree(w *fsnotify.Watcher, dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := os.Stat(path)
		if err != nil || !info.IsDir() {
			return nil
		}
		if err := w.Add(path); err != nil {
			return err
		}
		if d.Type()&fs.ModeSymlink != 0 {
			target, err := filepath.EvalSymlinks(path)
			if err == nil {
				return f.watchTree(w, target)
			}
		}
		return nil
	})
}

// Snapshot reads the tree again if it changed since last time. A tree
// that cannot be read keeps the last snapshot.
func (f *Files) Snapshot() *snapshot.Snapshot {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.dirty {
		return f.last
	}
	f.dirty = false
	snap, err := f.parsed.FromFiles([]string{f.Dir}, f.Namespace)
	if err != nil {
		f.Log.Error("cannot read the configuration directory; keeping the last snapshot", "dir", f.Dir, "error", err)
		return f.last
	}
	f.last = snap
	return snap
}
