package ambex

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	discoveryv3 "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	serverv3 "github.com/envoyproxy/go-control-plane/pkg/server/v3"
)

// Status is what each Envoy has accepted and refused.
type Status struct {
	mu      sync.Mutex
	streams map[int64]string // stream -> node id
	nodes   map[string]*NodeStatus
	// sent remembers, per stream, the version of each response by nonce,
	// so that a NACK can say which version was refused.
	sent map[int64]map[string]string
}

// NodeStatus is one Envoy's view of the configuration.
type NodeStatus struct {
	ID        string `json:"id"`
	Cluster   string `json:"cluster"`
	Connected bool   `json:"connected"`
	// Acked is the version accepted last, by resource type.
	Acked map[string]string `json:"acked"`
	// LastNACK is the last refusal, if any.
	LastNACK *NACK `json:"last_nack,omitempty"`
}

// NACK is a refused version and Envoy's reason.
type NACK struct {
	Type    string    `json:"type"`
	Version string    `json:"version"`
	Message string    `json:"message"`
	Time    time.Time `json:"time"`
}

func newStatus() *Status {
	return &Status{streams: map[int64]string{}, nodes: map[string]*NodeStatus{}, sent: map[int64]map[string]string{}}
}

// Nodes is every node's status, by id.
func (s *Status) Nodes() []NodeStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []NodeStatus
	for _, n := range s.nodes {
		c := *n
		c.Acked = map[string]string{}
		for k, v := range n.Acked {
			c.Acked[k] = v
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b NodeStatus) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

func (s *Status) nodeIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for id := range s.nodes {
		ids = append(ids, id)
	}
	return ids
}

// callbacks log and record what each Envoy does with what it is sent.
func (s *Status) callbacks(a *Ambex) serverv3.Callbacks {
	log := a.log
	return serverv3.CallbackFuncs{
		StreamClosedFunc: func(id int64, _ *corev3.Node) {
			s.mu.Lock()
			defer s.mu.Unlock()
			if n, ok := s.nodes[s.streams[id]]; ok {
				n.Connected = false
				log.Info("envoy disconnected", "node", n.ID)
			}
			delete(s.streams, id)
			delete(s.sent, id)
		},
		StreamRequestFunc: func(id int64, req *discoveryv3.DiscoveryRequest) error {
			node, first := s.request(id, req.GetNode(), req.GetTypeUrl(), req.GetVersionInfo(), req.GetResponseNonce(), req.GetErrorDetail().GetMessage(), req.GetErrorDetail() != nil, log)
			if first {
				a.nodeConnected(context.Background(), node)
			}
			return nil
		},
		StreamResponseFunc: func(_ context.Context, id int64, _ *discoveryv3.DiscoveryRequest, resp *discoveryv3.DiscoveryResponse) {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.sent[id] == nil {
				s.sent[id] = map[string]string{}
			}
			s.sent[id][resp.GetNonce()] = resp.GetVersionInfo()
		},
		StreamDeltaRequestFunc: func(id int64, req *discoveryv3.DeltaDiscoveryRequest) error {
			node, first := s.request(id, req.GetNode(), req.GetTypeUrl(), "", req.GetResponseNonce(), req.GetErrorDetail().GetMessage(), req.GetErrorDetail() != nil, log)
			if first {
				a.nodeConnected(context.Background(), node)
			}
			return nil
		},
		StreamDeltaResponseFunc: func(id int64, _ *discoveryv3.DeltaDiscoveryRequest, resp *discoveryv3.DeltaDiscoveryResponse) {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.sent[id] == nil {
				s.sent[id] = map[string]string{}
			}
			s.sent[id][resp.GetNonce()] = resp.GetSystemVersionInfo()
		},
		DeltaStreamClosedFunc: func(id int64, _ *corev3.Node) {
			s.mu.Lock()
			defer s.mu.Unlock()
			if n, ok := s.nodes[s.streams[id]]; ok {
				n.Connected = false
			}
			delete(s.streams, id)
			delete(s.sent, id)
		},
	}
}

// request records one request: the first of a stream names its node; an
// answer to a response is an ACK, or a NACK when it carries an error.
func (s *Status) request(stream int64, node *corev3.Node, typeURL, version, nonce, errMsg string, nack bool, log *slog.Logger) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, known := s.streams[stream]
	first := false
	if !known {
		id = node.GetId()
		s.streams[stream] = id
		n, ok := s.nodes[id]
		if !ok {
			n = &NodeStatus{ID: id, Acked: map[string]string{}}
			s.nodes[id] = n
			first = true
		}
		n.Cluster, n.Connected = node.GetCluster(), true
		log.Info("envoy connected", "node", id, "cluster", node.GetCluster())
	}
	n := s.nodes[id]
	if nonce == "" {
		return id, first // a subscription, not an answer
	}
	short := typeName(typeURL)
	sent := s.sent[stream][nonce]
	if nack {
		n.LastNACK = &NACK{Type: short, Version: sent, Message: errMsg, Time: time.Now()}
		log.Error("envoy refused a configuration (NACK)", "node", id, "type", short, "version", sent, "error", errMsg)
		return id, first
	}
	if version == "" {
		version = sent
	}
	if n.Acked[short] != version {
		log.Info("envoy accepted a configuration (ACK)", "node", id, "type", short, "version", version)
	}
	n.Acked[short] = version
	return id, first
}

func typeName(url string) string {
	for _, t := range []struct{ url, name string }{
		{"type.googleapis.com/envoy.config.listener.v3.Listener", "listeners"},
		{"type.googleapis.com/envoy.config.route.v3.RouteConfiguration", "routes"},
		{"type.googleapis.com/envoy.config.cluster.v3.Cluster", "clusters"},
		{"type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment", "endpoints"},
	} {
		if url == t.url {
			return t.name
		}
	}
	return url
}

// Handler serves the status as JSON: the version served and each node's.
func (a *Ambex) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /status", func(w http.ResponseWriter, _ *http.Request) {
		body, err := json.MarshalIndent(struct {
			Version string       `json:"version"`
			Nodes   []NodeStatus `json:"nodes"`
		}{a.Version(), a.status.Nodes()}, "", "  ")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(append(body, '\n'))
	})
	return mux
}

// logAdapter sends go-control-plane's logs to slog, at debug level but
// for warnings and errors.
type logAdapter struct{ log *slog.Logger }

func (l logAdapter) Debugf(format string, args ...any) { l.log.Debug(fmt.Sprintf(format, args...)) }
func (l logAdapter) Infof(format string, args ...any)  { l.log.Debug(fmt.Sprintf(format, args...)) }
func (l logAdapter) Warnf(format string, args ...any)  { l.log.Warn(fmt.Sprintf(format, args...)) }
func (l logAdapter) Errorf(format string, args ...any) { l.log.Error(fmt.Sprintf(format, args...)) }
