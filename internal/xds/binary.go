package xds

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"hash/fnv"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/emissary-go/emissary/internal/parallel"
)

// The binary form (envoy.pb) is the same configuration as an envoy.json,
// already split for xDS, in protobuf: reading it is some twenty times
// faster than reading the JSON, which matters for large configurations.
// It names the envoy.json it was made with (length and CRC-32C), so that
// a reader can tell the pair belongs together and fall back to the JSON
// when it does not (an envoy.json written by hand, or by another tool).
//
//	EMISSARY-GO-XDS 1\n
//	<length of envoy.json> <crc32c of envoy.json, hex>\n
//	then, for listeners, route configurations and clusters in turn:
//	a varint count, then each message as a varint length and its bytes.
const magic = "EMISSARY-GO-XDS 1\n"

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// TypeHashes hash each type's resources as stored, so that an unchanged
// type is recognised without encoding it again.
type TypeHashes struct {
	Listeners, Routes, Clusters uint64
}

// AppendBinary appends r's binary form, made with source (envoy.json's
// bytes).
func AppendBinary(buf []byte, r Resources, source []byte) ([]byte, error) {
	return AppendBinaryFor(buf, r, len(source), crc32.Checksum(source, castagnoli))
}

// AppendBinaryFor is AppendBinary given envoy.json's length and CRC-32C
// rather than its bytes.
//
// Most of the bytes are routes: a large configuration shows each route
// message in several virtual hosts. Each message is encoded once, on
// every core, and its bytes copied wherever it is shown; a route
// configuration is written as its fields but virtual_hosts, then each
// virtual host as its fields but routes, then the routes. Field order
// differs from proto.Marshal's, which no reader depends on: the messages
// read back equal, and the same configuration gives the same bytes.
func AppendBinaryFor(buf []byte, r Resources, sourceLen int, sourceCRC uint32) ([]byte, error) {
	enc := newEncoder()
	listeners := make([]int, len(r.Listeners))
	for i, l := range r.Listeners {
		listeners[i] = enc.add(l)
	}
	clusters := make([]int, len(r.Clusters))
	for i, c := range r.Clusters {
		clusters[i] = enc.add(c)
	}
	// Skeletons: what is written around the routes.
	var configs []*routeConfig
	for _, rc := range r.Routes {
		c := &routeConfig{skeleton: enc.add(Without(rc, "virtual_hosts"))}
		for _, vh := range rc.GetVirtualHosts() {
			v := &virtualHost{skeleton: enc.add(Without(vh, "routes"))}
			for _, route := range vh.GetRoutes() {
				v.routes = append(v.routes, enc.add(route))
			}
			c.hosts = append(c.hosts, v)
		}
		configs = append(configs, c)
	}
	if err := enc.encodeAll(); err != nil {
		return nil, err
	}

	// Sized first: tens of megabytes are copied once, not grown into.
	header := magic + strconv.Itoa(sourceLen) + " " + strconv.FormatUint(uint64(sourceCRC), 16) + "\n"
	total := len(header) + protowire.SizeVarint(uint64(len(listeners))) + protowire.SizeVarint(uint64(len(configs))) + protowire.SizeVarint(uint64(len(clusters)))
	for _, i := range append(slices.Clip(listeners), clusters...) {
		total += protowire.SizeBytes(len(enc.bytes[i]))
	}
	for _, c := range configs {
		c.size = len(enc.bytes[c.skeleton])
		for _, v := range c.hosts {
			v.size = len(enc.bytes[v.skeleton])
			for _, r := range v.routes {
				v.size += protowire.SizeTag(routesField) + protowire.SizeBytes(len(enc.bytes[r]))
			}
			c.size += protowire.SizeTag(vhostsField) + protowire.SizeBytes(v.size)
		}
		total += protowire.SizeBytes(c.size)
	}
	buf = slices.Grow(buf, total)

	buf = append(buf, header...)
	buf = protowire.AppendVarint(buf, uint64(len(listeners)))
	for _, i := range listeners {
		buf = protowire.AppendBytes(buf, enc.bytes[i])
	}
	buf = protowire.AppendVarint(buf, uint64(len(configs)))
	for _, c := range configs {
		buf = protowire.AppendVarint(buf, uint64(c.size))
		buf = append(buf, enc.bytes[c.skeleton]...)
		for _, v := range c.hosts {
			buf = protowire.AppendTag(buf, vhostsField, protowire.BytesType)
			buf = protowire.AppendVarint(buf, uint64(v.size))
			buf = append(buf, enc.bytes[v.skeleton]...)
			for _, route := range v.routes {
				buf = protowire.AppendTag(buf, routesField, protowire.BytesType)
				buf = protowire.AppendBytes(buf, enc.bytes[route])
			}
		}
	}
	buf = protowire.AppendVarint(buf, uint64(len(clusters)))
	for _, i := range clusters {
		buf = protowire.AppendBytes(buf, enc.bytes[i])
	}
	return buf, nil
}

// The field numbers the route tables are assembled with.
var (
	vhostsField = (&routev3.RouteConfiguration{}).ProtoReflect().Descriptor().Fields().ByName("virtual_hosts").Number()
	routesField = (&routev3.VirtualHost{}).ProtoReflect().Descriptor().Fields().ByName("routes").Number()
)

// routeConfig and virtualHost are what a route table is written from:
// the indices of their encoded pieces, and their encoded sizes.
type routeConfig struct {
	skeleton int
	hosts    []*virtualHost
	size     int
}

type virtualHost struct {
	skeleton int
	routes   []int
	size     int
}

// encoder encodes messages, each distinct one once, on every core.
type encoder struct {
	msgs  []proto.Message
	index map[proto.Message]int
	bytes [][]byte
}

func newEncoder() *encoder { return &encoder{index: map[proto.Message]int{}} }

// add registers m and returns its index; a message added before keeps
// its first index.
func (e *encoder) add(m proto.Message) int {
	if i, ok := e.index[m]; ok {
		return i
	}
	e.index[m] = len(e.msgs)
	e.msgs = append(e.msgs, m)
	return len(e.msgs) - 1
}

func (e *encoder) encodeAll() error {
	e.bytes = make([][]byte, len(e.msgs))
	opts := proto.MarshalOptions{Deterministic: true}
	return parallel.Each(len(e.msgs), func(i int) (err error) {
		e.bytes[i], err = opts.Marshal(e.msgs[i])
		return err
	})
}

// Without is a copy of m without field: its skeleton, sharing every
// other field's value with m. Values are shared, not copied: generated
// messages are never modified once built.
//
// The generated struct's fields are copied and then the one field
// cleared: walking the populated fields with protoreflect boxed every
// value and was a tenth of writing envoy.json for a small configuration.
// The struct's internal state is not copied (a copy of it would race
// with the atomic updates protobuf makes to it while other goroutines
// read the same message), nor unknown fields, which the translator's
// messages never have.
func Without[M proto.Message](m M, field protoreflect.Name) M {
	src := reflect.ValueOf(m).Elem()
	plan := withoutPlanFor(src.Type(), m, field)
	dst := reflect.New(src.Type())
	if plan.tail != nil {
		// The exported fields in one typed copy.
		from := reflect.NewAt(plan.tail, unsafe.Add(src.Addr().UnsafePointer(), plan.offset)).Elem()
		reflect.NewAt(plan.tail, unsafe.Add(dst.UnsafePointer(), plan.offset)).Elem().Set(from)
	} else {
		for _, i := range plan.fields {
			dst.Elem().Field(i).Set(src.Field(i))
		}
	}
	out := dst.Interface().(M)
	if plan.zero >= 0 {
		dst.Elem().Field(plan.zero).SetZero()
	} else {
		out.ProtoReflect().Clear(plan.oneofMember)
	}
	return out
}

// withoutPlan is how Without copies one type of message and clears one
// of its fields.
type withoutPlan struct {
	// tail is a struct type laid out as the exported fields are, from
	// offset on: they are copied in one go. Nil when they are not
	// contiguous: then they are copied one by one (fields).
	tail   reflect.Type
	offset uintptr
	fields []int
	// zero is the struct field to zero, or -1 for a oneof member,
	// cleared through protoreflect (only if it is the one set).
	zero        int
	oneofMember protoreflect.FieldDescriptor
}

type withoutKey struct {
	t     reflect.Type
	field protoreflect.Name
}

var withoutPlans sync.Map // withoutKey -> *withoutPlan

func withoutPlanFor(st reflect.Type, m proto.Message, field protoreflect.Name) *withoutPlan {
	key := withoutKey{st, field}
	if p, ok := withoutPlans.Load(key); ok {
		return p.(*withoutPlan)
	}
	fd := m.ProtoReflect().Descriptor().Fields().ByName(field)
	if fd == nil {
		panic(fmt.Sprintf("xds.Without: %s has no field %s", m.ProtoReflect().Descriptor().FullName(), field))
	}
	p := &withoutPlan{fields: exportedFields(st), zero: -1}
	if o := fd.ContainingOneof(); o != nil && !o.IsSynthetic() {
		p.oneofMember = fd
	} else {
		for _, i := range p.fields {
			if TaggedName(st.Field(i)) == string(field) {
				p.zero = i
			}
		}
		if p.zero < 0 {
			p.oneofMember = fd // not found by tag: protoreflect clears it
		}
	}
	p.tail, p.offset = contiguous(st, p.fields)
	withoutPlans.Store(key, p)
	return p
}

// TaggedName is the proto field name in a generated struct field's tag
// ("" for a oneof's field or the struct's internal state).
func TaggedName(f reflect.StructField) string {
	for part := range strings.SplitSeq(f.Tag.Get("protobuf"), ",") {
		if name, ok := strings.CutPrefix(part, "name="); ok {
			return name
		}
	}
	return ""
}

// contiguous is a struct type with st's fields (indices) laid out as
// they are in st, from the first one's offset, or nil if they are not
// next to each other (or the layout would differ).
func contiguous(st reflect.Type, fields []int) (reflect.Type, uintptr) {
	if len(fields) == 0 {
		return nil, 0
	}
	var sf []reflect.StructField
	for k, i := range fields {
		f := st.Field(i)
		if k > 0 && i != fields[k-1]+1 {
			return nil, 0
		}
		sf = append(sf, reflect.StructField{Name: f.Name, Type: f.Type})
	}
	tail := reflect.StructOf(sf)
	base := st.Field(fields[0]).Offset
	for k, i := range fields {
		if tail.Field(k).Offset != st.Field(i).Offset-base {
			return nil, 0
		}
	}
	if base+tail.Size() > st.Size() || base%uintptr(tail.Align()) != 0 {
		return nil, 0
	}
	return tail, base
}

// exportedFields are the indexes of a generated struct's fields that
// hold its proto fields (and oneofs).
func exportedFields(t reflect.Type) []int {
	if cached, ok := exportedFieldsOf.Load(t); ok {
		return cached.([]int)
	}
	var out []int
	for i := range t.NumField() {
		if t.Field(i).IsExported() {
			out = append(out, i)
		}
	}
	exportedFieldsOf.Store(t, out)
	return out
}

var exportedFieldsOf sync.Map // reflect.Type -> []int

func sourceLine(source []byte) string {
	return strconv.Itoa(len(source)) + " " + strconv.FormatUint(uint64(crc32.Checksum(source, castagnoli)), 16) + "\n"
}

// ErrOtherSource is ReadBinary's answer when the binary form was not
// made with the envoy.json given.
var ErrOtherSource = errors.New("envoy.pb was made with another envoy.json")

// ReadBinary reads the binary form made with source.
func ReadBinary(data, source []byte) (Resources, TypeHashes, error) {
	rest, ok := bytes.CutPrefix(data, []byte(magic))
	if !ok {
		return Resources{}, TypeHashes{}, errors.New("envoy.pb: not in the expected format")
	}
	line, rest, ok := bytes.Cut(rest, []byte("\n"))
	if !ok {
		return Resources{}, TypeHashes{}, errors.New("envoy.pb: truncated")
	}
	if string(line)+"\n" != sourceLine(source) {
		return Resources{}, TypeHashes{}, ErrOtherSource
	}
	var (
		r   Resources
		h   TypeHashes
		err error
	)
	if r.Listeners, h.Listeners, rest, err = readSection[*listenerv3.Listener](rest); err != nil {
		return Resources{}, TypeHashes{}, fmt.Errorf("envoy.pb: listeners: %w", err)
	}
	if r.Routes, h.Routes, rest, err = readSection[*routev3.RouteConfiguration](rest); err != nil {
		return Resources{}, TypeHashes{}, fmt.Errorf("envoy.pb: route configurations: %w", err)
	}
	if r.Clusters, h.Clusters, rest, err = readSection[*clusterv3.Cluster](rest); err != nil {
		return Resources{}, TypeHashes{}, fmt.Errorf("envoy.pb: clusters: %w", err)
	}
	if len(rest) != 0 {
		return Resources{}, TypeHashes{}, errors.New("envoy.pb: trailing bytes")
	}
	return r, h, nil
}

func readSection[M interface {
	proto.Message
	*T
}, T any](data []byte) ([]M, uint64, []byte, error) {
	start := data
	count, n := protowire.ConsumeVarint(data)
	if n < 0 || count > uint64(len(data)) {
		return nil, 0, nil, errors.New("bad count")
	}
	data = data[n:]
	items := make([][]byte, 0, count)
	for range count {
		size, n := protowire.ConsumeVarint(data)
		if n < 0 || size > uint64(len(data)-n) {
			return nil, 0, nil, errors.New("truncated")
		}
		items = append(items, data[n:n+int(size)])
		data = data[n+int(size):]
	}
	// Decoded on every core: a large configuration's route tables are
	// most of the time a reload takes.
	out := make([]M, len(items))
	if err := parallel.Each(len(items), func(i int) error {
		out[i] = M(new(T))
		return proto.Unmarshal(items[i], out[i])
	}); err != nil {
		return nil, 0, nil, err
	}
	h := fnv.New64a()
	h.Write(start[:len(start)-len(data)])
	return out, h.Sum64(), data, nil
}
