package diag

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/emissary-go/emissary/internal/diag/ui"
)

// Server is diagd's HTTP side: watt's notifications, the probes, the
// diagnostics pages and the metrics.
type Server struct {
	Reconfigurer *Reconfigurer
	Metrics      *Metrics
	System       func() ui.System
	Log          *slog.Logger
}

// Handler routes diagd's endpoints.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /_internal/v0/watt", s.watt)
	mux.HandleFunc("POST /_internal/v0/fs", s.fs)
	mux.HandleFunc("GET /_internal/v0/ping", func(w http.ResponseWriter, _ *http.Request) {
		text(w, http.StatusOK, "ACK")
	})
	mux.HandleFunc("GET /_internal/v0/features", s.features)
	mux.HandleFunc("GET /ambassador/v0/check_alive", func(w http.ResponseWriter, _ *http.Request) {
		text(w, http.StatusOK, "ambassador liveness check OK ("+s.uptime()+")")
	})
	mux.HandleFunc("GET /ambassador/v0/check_ready", s.ready)
	mux.HandleFunc("GET /ambassador/v0/diag/{$}", s.overview)
	mux.HandleFunc("GET /ambassador/v0/diag/{key...}", s.resource)
	mux.Handle("GET /metrics", s.Metrics.Handler())
	return mux
}

// watt is how watt says a new snapshot is ready: it is queued, and the
// answer does not wait for the reconfiguration.
func (s *Server) watt(w http.ResponseWriter, r *http.Request) {
	url := r.URL.Query().Get("url")
	if url == "" {
		text(w, http.StatusBadRequest, "error: watt update requested with no URL")
		return
	}
	s.Reconfigurer.Request(Source{URL: url})
	text(w, http.StatusAccepted, "queued "+url)
}

// fs queues a reconfiguration from a directory of YAML.
func (s *Server) fs(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Query().Get("path")
	if path == "" {
		text(w, http.StatusBadRequest, "error: update requested with no path")
		return
	}
	s.Reconfigurer.Request(Source{Dir: path})
	text(w, http.StatusAccepted, "queued "+path)
}

func (s *Server) ready(w http.ResponseWriter, _ *http.Request) {
	if !s.Reconfigurer.Ready() {
		text(w, http.StatusServiceUnavailable, "ambassador waiting for config")
		return
	}
	text(w, http.StatusOK, "ambassador readiness check OK ("+s.uptime()+")")
}

// features counts what the configuration in force uses.
func (s *Server) features(w http.ResponseWriter, _ *http.Request) {
	in := s.Reconfigurer.View(s.System())
	if in.IR == nil {
		text(w, http.StatusServiceUnavailable, "Can't do features before configuration")
		return
	}
	counts := map[string]int{}
	for _, src := range in.IR.Sources {
		counts[strings.ToLower(src.Kind)+"_count"]++
	}
	counts["group_count"] = len(in.IR.Groups)
	counts["cluster_count"] = len(in.IR.Clusters)
	counts["error_count"] = in.IR.Diagnostics.Count()
	writeJSON(w, http.StatusOK, counts)
}

// DiagIPHeader is where the health server (:8877) tells diagd the
// address of the client it proxies for (Emissary's header).
const DiagIPHeader = "X-Ambassador-Diag-IP"

// showPages says whether the diagnostics pages may be shown to this
// request: always to a client on the pod itself; to others only while
// the Module's diagnostics are enabled or allow_non_local is set, as in
// Emissary (the answer is otherwise a 404, as if there were no pages).
func showPages(view ui.Input, r *http.Request) bool {
	if view.IR != nil {
		d := view.IR.Settings.Diagnostics
		if d.Enabled || d.AllowNonLocal {
			return true
		}
	}
	client := r.Header.Get(DiagIPHeader)
	if client == "" {
		// Not proxied: diagd's own listener, normally loopback only.
		client, _, _ = net.SplitHostPort(r.RemoteAddr)
	}
	ip := net.ParseIP(client)
	return ip != nil && ip.IsLoopback()
}

func (s *Server) overview(w http.ResponseWriter, r *http.Request) {
	view := s.Reconfigurer.View(s.System())
	if !showPages(view, r) {
		text(w, http.StatusNotFound, "Not found")
		return
	}
	o := ui.BuildOverview(view)
	if wantsJSON(r) {
		writeJSON(w, http.StatusOK, o)
		return
	}
	s.html(w, func(b *bytes.Buffer) error { return ui.RenderOverview(b, o) })
}

func (s *Server) resource(w http.ResponseWriter, r *http.Request) {
	view := s.Reconfigurer.View(s.System())
	if !showPages(view, r) {
		text(w, http.StatusNotFound, "Not found")
		return
	}
	page, ok := ui.BuildResourcePage(view, r.PathValue("key"))
	if !ok {
		text(w, http.StatusNotFound, "no resource "+r.PathValue("key")+" in the configuration in force")
		return
	}
	if wantsJSON(r) {
		writeJSON(w, http.StatusOK, page)
		return
	}
	s.html(w, func(b *bytes.Buffer) error { return ui.RenderResource(b, page) })
}

// html renders a page completely before sending it, so that a template
// error is a 500, not half a page.
func (s *Server) html(w http.ResponseWriter, render func(*bytes.Buffer) error) {
	var b bytes.Buffer
	if err := render(&b); err != nil {
		s.Log.Error("rendering a diagnostics page", "error", err)
		text(w, http.StatusInternalServerError, "could not render this page: "+err.Error())
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(b.Bytes())
}

func (s *Server) uptime() string {
	return (time.Duration(s.System().UptimeSeconds) * time.Second).String()
}

func wantsJSON(r *http.Request) bool {
	v := r.URL.Query().Get("json")
	return v != "" && v != "false" && v != "0"
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		text(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

func text(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	w.Write([]byte(msg + "\n"))
}
