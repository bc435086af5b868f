package watt

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/fsnotify/fsnotify"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// IstioCerts turns the certificate files Istio mounts (key.pem and
// cert-chain.pem in AMBASSADOR_ISTIO_SECRET_DIR) into the TLS Secret
// "istio-certs" in the gateway's namespace, as Emissary does, so that a
// TLSContext can originate mTLS to the mesh. It follows the files as
// Istio rotates them.
type IstioCerts struct {
	Dir, Namespace string
	Log            *slog.Logger
}

// Run watches the directory until ctx is done.
func (i *IstioCerts) Run(ctx context.Context, changed func()) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		i.Log.Error("cannot watch the Istio certificates", "error", err)
		return
	}
	defer w.Close()
	if err := w.Add(i.Dir); err != nil {
		i.Log.Error("cannot watch the Istio certificates", "dir", i.Dir, "error", err)
		return
	}
	changed()
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.Errors:
		case ev := <-w.Events:
			if !ev.Has(fsnotify.Chmod) || ev.Has(fsnotify.Write) {
				changed()
			}
		}
	}
}

// Secret is the Secret the files make, nil until both exist.
func (i *IstioCerts) Secret() *corev1.Secret {
	key, errKey := os.ReadFile(filepath.Join(i.Dir, "key.pem"))
	chain, errChain := os.ReadFile(filepath.Join(i.Dir, "cert-chain.pem"))
	if errKey != nil || errChain != nil {
		return nil
	}
	return &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{Name: "istio-certs", Namespace: i.Namespace},
		Type:       corev1.SecretTypeTLS,
		Data:       map[string][]byte{"tls.key": key, "tls.crt": chain},
	}
}
