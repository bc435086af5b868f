// Package envoy turns the IR into Envoy v3 configuration, validates it and
// serializes it. Everything here is pure: the same IR gives the same
// bytes.
package envoy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	accesslogv3 "github.com/envoyproxy/go-control-plane/envoy/config/accesslog/v3"
	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/emissary-go/emissary/internal/parallel"
	"github.com/emissary-go/emissary/internal/xds"
)

// Config is one complete generated configuration.
type Config struct {
	// Bootstrap is what Envoy starts with (bootstrap-ads.json): the admin
	// interface and how to reach ambex.
	Bootstrap *bootstrapv3.Bootstrap
	// Listeners and Clusters are what ambex serves (envoy.json).
	Listeners []*listenerv3.Listener
	Clusters  []*clusterv3.Cluster

	// decoded maps the Anys the translator packed to the messages it
	// packed, so that validation checks those messages instead of decoding
	// megabytes of route configuration back out of the Anys.
	decoded map[*anypb.Any]proto.Message
	// unpacked are Anys whose Value Pack has yet to fill.
	unpacked []*anypb.Any
	// checked are routes already validated while they were built.
	checked []*routev3.Route
	// clustersChecked says every cluster was validated as it was built.
	clustersChecked bool
	// crew writes envoy.json's pieces.
	crew *parallel.Crew

	// Dropped are the Mappings whose routes Envoy would refuse: they are
	// left out, and the rest of the configuration stands.
	Dropped []Problem
}

// Problem is something wrong with one resource.
type Problem struct {
	Key     string
	Message string
}

// HCM is the HTTP connection manager a listener filter of this
// configuration holds (nil if none), without decoding what the
// translator still has.
func (c *Config) HCM(f *listenerv3.Filter) (*hcmv3.HttpConnectionManager, error) {
	a := f.GetTypedConfig()
	if hcm, ok := c.decoded[a].(*hcmv3.HttpConnectionManager); ok {
		return hcm, nil
	}
	if a == nil || !a.MessageIs((*hcmv3.HttpConnectionManager)(nil)) {
		return nil, nil
	}
	hcm := &hcmv3.HttpConnectionManager{}
	return hcm, a.UnmarshalTo(hcm)
}

// Pack encodes the connection managers that hold route tables into
// their Anys, for a caller that wants binary protobuf (an in-process xDS
// server, a test decoding a filter). The JSON outputs and validation do
// not need it, and skip the cost. Not safe to call concurrently with
// anything else reading the Config.
func (c *Config) Pack() error {
	for _, a := range c.unpacked {
		b, err := proto.MarshalOptions{Deterministic: true}.Marshal(c.decoded[a])
		if err != nil {
			return err
		}
		a.Value = b
	}
	c.unpacked = nil
	return nil
}

// EnvoyJSON is envoy.json: Emissary's form, a Bootstrap whose static
// resources hold the listeners and clusters ambex serves. It is written
// compact, as Emissary writes it: it is large, and read by programs.
//
// Marshalling tens of thousands of routes is most of a reconfiguration.
// So the document is cut into pieces: listener and filter chain skeletons
// whose children are stand-ins, each route (once, however many virtual
// hosts show it) and each cluster. The pieces are marshalled on every
// core and the stand-ins replaced by their JSON: byte for byte what
// marshalling the whole Bootstrap gives.
func (c *Config) EnvoyJSON() ([]byte, error) {
	doc, err := c.EnvoyJSONDoc()
	if err != nil {
		return nil, err
	}
	return doc.Bytes(), nil
}

// EnvoyJSONDoc is envoy.json in pieces, ready to be written.
func (c *Config) EnvoyJSONDoc() (*JSONDoc, error) {
	// Most pieces are the distinct routes (c.checked) and the clusters.
	t := &template{
		pieces:      make([]piece, 0, len(c.checked)+len(c.Clusters)+64),
		decoded:     c.decoded,
		routeIndex:  make(map[*routev3.Route]int, len(c.checked)),
		sharedIndex: map[proto.Message]int{},
	}
	var listeners, clusters []int
	for _, l := range c.Listeners {
		listeners = append(listeners, t.listener(l))
	}
	for _, cl := range c.Clusters {
		clusters = append(clusters, t.add(cl, nil))
	}
	if t.err != nil {
		return nil, t.err
	}
	msgs := make([]proto.Message, len(t.pieces))
	for i, p := range t.pieces {
		msgs[i] = p.msg
	}
	parts, err := marshalAll(c.crew, msgs, c.decoded)
	if err != nil {
		return nil, err
	}
	for i, p := range t.pieces {
		if p.anyOf != "" {
			if parts[i], err = filterJSON(p.anyOf, p.msg, parts[i]); err != nil {
				return nil, err
			}
		}
	}
	// The document is a few segments per route entry, hundreds of
	// thousands in a large configuration: counted first, so that the
	// list is made once instead of grown by copying.
	segs := make([]int, len(t.pieces))
	var count func(i int) int
	count = func(i int) int {
		if segs[i] == 0 {
			n := 1
			for _, h := range t.pieces[i].holes {
				n++
				for _, p := range h.pieces {
					n += count(p) + 1
				}
			}
			segs[i] = n
		}
		return segs[i]
	}
	total := 8
	for _, p := range append(listeners, clusters...) {
		total += count(p) + 1
	}
	doc := &JSONDoc{segs: make([][]byte, 0, total)}
	doc.add([]byte(`{"static_resources":{`))
	writeList := func(key string, list []int) error {
		doc.add([]byte(`"` + key + `":[`))
		for i, p := range list {
			if i > 0 {
				doc.add(comma)
			}
			if err := t.expand(doc, parts, p); err != nil {
				return err
			}
		}
		doc.add([]byte{']'})
		return nil
	}
	if len(listeners) > 0 {
		if err := writeList("listeners", listeners); err != nil {
			return nil, err
		}
	}
	if len(clusters) > 0 {
		if len(listeners) > 0 {
			doc.add(comma)
		}
		if err := writeList("clusters", clusters); err != nil {
			return nil, err
		}
	}
	doc.add([]byte("}}\n"))
	return doc, nil
}

var comma = []byte{','}

// template is envoy.json cut into pieces.
type template struct {
	pieces     []piece
	decoded    map[*anypb.Any]proto.Message
	routeIndex map[*routev3.Route]int
	// sharedIndex are the pieces of messages met more than once.
	sharedIndex map[proto.Message]int
	standIns    int
	err         error
}

// piece is one message to marshal; its JSON holds the stand-ins of its
// holes, in order, each to be replaced by another piece's JSON.
type piece struct {
	msg   proto.Message
	holes []hole
	// anyOf, when set, is the name of a network filter whose typed
	// config msg is: the piece is that filter.
	anyOf string
}

type hole struct {
	standIn string
	pieces  []int // written comma-separated in place of the stand-in
}

// shared makes a piece of each message, once however many times it is
// met.
func shared[M proto.Message](t *template, msgs []M) []int {
	var out []int
	for _, m := range msgs {
		idx, seen := t.sharedIndex[m]
		if !seen {
			idx = t.add(m, nil)
			t.sharedIndex[m] = idx
		}
		out = append(out, idx)
	}
	return out
}

func (t *template) add(m proto.Message, holes []hole) int {
	t.pieces = append(t.pieces, piece{msg: m, holes: holes})
	return len(t.pieces) - 1
}

// standIn is a named placeholder message and its JSON.
func (t *template) standIn() (string, string) {
	t.standIns++
	name := placeholder + "-" + strconv.Itoa(t.standIns)
	return name, `{"name":"` + name + `"}`
}

func (t *template) listener(l *listenerv3.Listener) int {
	skeleton := xds.Without(l, "filter_chains")
	var holes []hole
	for _, fc := range l.GetFilterChains() {
		child := t.chain(fc)
		name, standIn := t.standIn()
		skeleton.FilterChains = append(skeleton.FilterChains, &listenerv3.FilterChain{Name: name})
		holes = append(holes, hole{standIn, []int{child}})
	}
	return t.add(skeleton, holes)
}

// chain cuts the routes out of a filter chain's HTTP connection manager,
// when the translator packed it (else the chain is one piece).
func (t *template) chain(fc *listenerv3.FilterChain) int {
	skeleton := xds.Without(fc, "filters")
	var holes []hole
	for _, f := range fc.GetFilters() {
		hcm, ok := t.decoded[f.GetTypedConfig()].(*hcmv3.HttpConnectionManager)
		if !ok || hcm.GetRouteConfig() == nil {
			skeleton.Filters = append(skeleton.Filters, f)
			continue
		}
		// The connection manager without routes, each route replaced by
		// a stand-in (the skeleton's virtual hosts are its own copies).
		skeletonHCM := withoutRoutes(hcm)
		var routeHoles []hole
		for i, vh := range hcm.GetRouteConfig().GetVirtualHosts() {
			if len(vh.GetRoutes()) == 0 {
				continue
			}
			// One stand-in route for the whole list.
			var routes []int
			for _, r := range vh.GetRoutes() {
				idx, seen := t.routeIndex[r]
				if !seen {
					idx = t.add(r, nil)
					t.routeIndex[r] = idx
				}
				routes = append(routes, idx)
			}
			name, standIn := t.standIn()
			v := skeletonHCM.GetRouteConfig().GetVirtualHosts()[i]
			v.Routes = []*routev3.Route{{Name: name}}
			routeHoles = append(routeHoles, hole{standIn, routes})
		}
		// The HTTP filters and access logs, the same messages in every
		// connection manager, are pieces written once.
		if fs := skeletonHCM.GetHttpFilters(); len(fs) > 0 {
			name, standIn := t.standIn()
			skeletonHCM.HttpFilters = []*hcmv3.HttpFilter{{Name: name}}
			routeHoles = append(routeHoles, hole{standIn, shared(t, fs)})
		}
		if ls := skeletonHCM.GetAccessLog(); len(ls) > 0 {
			name, standIn := t.standIn()
			skeletonHCM.AccessLog = []*accesslogv3.AccessLog{{Name: name}}
			routeHoles = append(routeHoles, hole{standIn, shared(t, ls)})
		}
		// The filter is written around the connection manager's own
		// JSON, as protojson writes an Any: packing the skeleton only for
		// protojson to unpack it again costs more than the rest.
		if rest := filterWithout(f); proto.Size(rest) != 0 {
			t.err = fmt.Errorf("envoy.json: filter %s has fields the assembler does not place", f.GetName())
			return 0
		}
		hcmPiece := t.add(skeletonHCM, routeHoles)
		t.pieces[hcmPiece].anyOf = f.GetName()
		name, standIn := t.standIn()
		skeleton.Filters = append(skeleton.Filters, &listenerv3.Filter{Name: name})
		holes = append(holes, hole{standIn, []int{hcmPiece}})
	}
	return t.add(skeleton, holes)
}

// filterWithout is f without its name and typed config.
func filterWithout(f *listenerv3.Filter) *listenerv3.Filter {
	rest := xds.Without(f, "typed_config")
	rest.Name = ""
	return rest
}

// filterJSON is a network filter named name whose typed config is msg,
// given msg's JSON: {"name":..,"typed_config":{"@type":..,<msg's fields>}}.
func filterJSON(name string, msg proto.Message, body []byte) ([]byte, error) {
	w := jsonWriter{buf: make([]byte, 0, len(body)+len(name)+128)}
	w.buf = append(w.buf, '{')
	w.key("name")
	ok := w.str(name)
	w.key("typed_config")
	w.buf = append(w.buf, '{')
	w.comma = false
	w.key("@type")
	ok = ok && w.str("type.googleapis.com/"+string(msg.ProtoReflect().Descriptor().FullName()))
	if !ok || len(body) < 2 || body[0] != '{' {
		return nil, fmt.Errorf("envoy.json: cannot write filter %q", name)
	}
	if len(body) > 2 {
		w.buf = append(w.buf, ',')
	}
	w.buf = append(w.buf, body[1:]...)
	w.buf = append(w.buf, '}')
	return w.buf, nil
}

// expand writes piece i's JSON with its stand-ins replaced.
func (t *template) expand(out *JSONDoc, parts [][]byte, i int) error {
	data := parts[i]
	// Stand-ins are filled in the order they appear in the JSON, which
	// is the message's field order, not necessarily the holes'.
	type placed struct {
		at int
		h  hole
	}
	var holes []placed
	for _, h := range t.pieces[i].holes {
		at := bytes.Index(data, []byte(h.standIn))
		if at < 0 {
			return fmt.Errorf("envoy.json: stand-in %s not found while assembling", h.standIn)
		}
		holes = append(holes, placed{at, h})
	}
	slices.SortFunc(holes, func(a, b placed) int { return a.at - b.at })
	done := 0
	for _, p := range holes {
		out.add(data[done:p.at])
		for j, piece := range p.h.pieces {
			if j > 0 {
				out.add(comma)
			}
			if err := t.expand(out, parts, piece); err != nil {
				return err
			}
		}
		done = p.at + len(p.h.standIn)
	}
	out.add(data[done:])
	return nil
}

// placeholder starts the names of stand-ins; no real chain or route is
// named like this.
const placeholder = "emissary-go-placeholder"

// lastJSON is how many bytes marshalAll wrote last time: a hint for the
// size of the next one's memory, nothing more.
var lastJSON atomic.Int64

// marshalAll marshals messages compactly on every core.
func marshalAll(crew *parallel.Crew, msgs []proto.Message, decoded map[*anypb.Any]proto.Message) ([][]byte, error) {
	parts := make([][]byte, len(msgs))
	var (
		g       = crew.Group()
		next    atomic.Int64
		written atomic.Int64
	)
	// The pieces are written into slabs of one allocation sized by last
	// time's total: the workers share it, however unevenly they share
	// the pieces.
	mem := newSlabs(int(lastJSON.Load()) * 9 / 8)
	defer func() { lastJSON.Store(written.Load()) }()
	for range crew.Size() {
		g.Go(func() error {
			// A part is a window on the worker's slab. A piece that
			// outgrows the slab moves, with the slab's other bytes, to
			// a larger buffer (append's), which then serves as the slab.
			var buf []byte
			wrote := 0
			defer func() { written.Add(int64(wrote)) }()
			w := &jsonWriter{} // one for all of the worker's pieces
			for {
				i := int(next.Add(1) - 1)
				if i >= len(msgs) {
					return nil
				}
				if cap(buf)-len(buf) < slabRoom {
					buf = mem.slab()
				}
				start := len(buf)
				w.buf = buf
				if appendJSON(w, msgs[i], decoded) {
					buf = w.buf
					parts[i] = buf[start:len(buf):len(buf)]
					wrote += len(parts[i])
					continue
				}
				buf = buf[:start]
				b, err := marshal(msgs[i], false)
				if err != nil {
					return err
				}
				parts[i] = bytes.TrimSuffix(b, []byte("\n"))
			}
		})
	}
	return parts, g.Wait()
}

// slabs hands out pieces of one allocation to concurrent writers, then,
// when it is used up, chunks of their own.
type slabs struct {
	mem  []byte
	used atomic.Int64
	// own is the size of the next chunk made when mem is used up.
	own atomic.Int64
}

const (
	slabSize = 32 << 10
	// slabRoom is the room under which a writer takes a new slab rather
	// than risk a piece moving.
	slabRoom = 4 << 10
)

func newSlabs(size int) *slabs {
	s := &slabs{}
	if size > 0 {
		s.mem = make([]byte, size+slabSize)
	}
	s.own.Store(64 << 10)
	return s
}

func (s *slabs) slab() []byte {
	if end := int(s.used.Add(slabSize)); end <= len(s.mem) {
		return s.mem[end-slabSize : end-slabSize : end]
	}
	// Used up (or no hint): chunks of a writer's own, each twice the
	// last up to a megabyte.
	n := int(s.own.Load())
	s.own.Store(min(2*int64(n), 1<<20))
	return make([]byte, 0, n)
}

// appendJSON writes the messages that make up most of envoy.json onto
// w.buf with their codecs, as protojson writes them, or reports false
// when m uses a field its codecs do not write (the caller then has
// protojson write it). decoded holds what Anys were packed from (the
// translator's record).
func appendJSON(w *jsonWriter, m proto.Message, decoded map[*anypb.Any]proto.Message) bool {
	w.comma = false
	switch m := m.(type) {
	case *routev3.Route:
		w.decoded = decoded
		return routeCodec.write(w, m)
	case *clusterv3.Cluster:
		// Without the record: a cluster originating TLS (a transport
		// socket) is refused, and those are few.
		w.decoded = nil
		return clusterCodec.write(w, m)
	case *listenerv3.FilterChain:
		w.decoded = decoded
		return filterChainCodec.write(w, m)
	case *listenerv3.Listener:
		w.decoded = decoded
		return listenerCodec.write(w, m)
	case *hcmv3.HttpConnectionManager:
		// As the template cuts it: its route table's routes, HTTP
		// filters and access logs are stand-ins (name only).
		w.decoded = nil
		return hcmCodec.write(w, m)
	}
	return false
}

// BootstrapJSON is bootstrap-ads.json.
func (c *Config) BootstrapJSON() ([]byte, error) {
	return Marshal(c.Bootstrap)
}

// Marshal writes m as indented JSON with Envoy's field names.
func Marshal(m proto.Message) ([]byte, error) { return marshal(m, true) }

// marshal writes m as JSON, remembering what it wrote (see remembered).
// The slice returned is the caller's own.
func marshal(m proto.Message, indent bool) ([]byte, error) {
	key := append([]byte(m.ProtoReflect().Descriptor().FullName()), ' ', '0')
	if indent {
		key[len(key)-1] = '1'
	}
	key, err := proto.MarshalOptions{Deterministic: true}.MarshalAppend(key, m)
	if err != nil {
		return nil, err
	}
	remembered.Lock()
	out, ok := remembered.json[string(key)]
	remembered.Unlock()
	if ok {
		return slices.Clone(out), nil
	}
	if out, err = protojsonMarshal(m, indent); err != nil {
		return nil, err
	}
	remembered.Lock()
	defer remembered.Unlock()
	if remembered.size += len(key) + len(out); remembered.size > rememberedLimit || remembered.json == nil {
		remembered.json, remembered.size = map[string][]byte{}, len(key)+len(out)
	}
	remembered.json[string(key)] = out
	return slices.Clone(out), nil
}

// remembered is what protojson wrote for recent messages, keyed by their
// type, binary encoding and indentation: the JSON is a function of these
// alone. The few messages without a codec (the bootstrap, and the HTTP
// filters and access logs every connection manager shares) are the same
// from one reconfiguration to the next, and protojson, which unpacks
// every Any it meets, took a quarter of writing envoy.json for a small
// configuration. It is emptied when it passes rememberedLimit, so it
// stays small whatever comes through.
var remembered struct {
	sync.Mutex
	json map[string][]byte
	size int
}

const rememberedLimit = 4 << 20

// protojsonMarshal writes m as JSON. protojson deliberately varies its
// whitespace between builds; re-spacing with encoding/json makes the
// bytes depend on the content alone.
func protojsonMarshal(m proto.Message, indent bool) ([]byte, error) {
	raw, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(m)
	if err != nil {
		return nil, err
	}
	if !indent {
		return append(dropCommaSpaces(raw), '\n'), nil
	}
	var out bytes.Buffer
	out.Grow(len(raw) + len(raw)/4)
	if err := json.Indent(&out, raw, "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// dropCommaSpaces removes, in place, the space protojson's single-line
// output may put after a comma between values (it decides per build, to
// keep callers from depending on its bytes); commas inside strings are
// left alone. Nothing else in that output varies, so the result depends
// on the content alone, and this is many times faster than json.Compact
// on tens of megabytes.
func dropCommaSpaces(b []byte) []byte {
	out := b[:0]
	inString, escaped := false, false
	for i := 0; i < len(b); i++ {
		c := b[i]
		out = append(out, c)
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case !inString && c == ',' && i+1 < len(b) && b[i+1] == ' ':
			i++
		}
	}
	return out
}
