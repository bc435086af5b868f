package envoy

import (
	"encoding/binary"
	"reflect"
	"slices"
	"strconv"
	"unicode/utf8"
	"unsafe"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/emissary-go/emissary/internal/xds"
)

// protojson reaches every field through reflection, which makes it most
// of the cost of a large reconfiguration: routes are tens of megabytes of
// envoy.json. A codec writes one message type directly, byte for byte as
// protojson writes it (proto field names, compact), but only for the
// fields it has a writer for. A message with any other field set is
// refused, and the caller marshals it with protojson instead: new fields,
// from the translator or a go-control-plane upgrade, cost speed, never
// correctness. Tests hold the two encoders equal on every route the
// translator produces.
type codec[M proto.Message] struct {
	// writers in protojson's order: field declaration order.
	writers []fieldWriter[M]
	// others are the words of the generated struct that hold fields
	// without a writer, with masks of those fields' bytes: all must be
	// zero. A field's Go zero value is all zero bytes (nil pointers,
	// empty strings and slices, 0, false), so checking the bytes is
	// checking the fields, without reflection; a word at a time, since
	// this is checked for every message written.
	others []maskedWord
}

// maskedWord is the bytes of mask's at offset off in a struct. Generated
// messages hold pointers, so they are aligned to and sized in words.
type maskedWord struct {
	off  uintptr
	mask uint64
}

// fieldWriter writes one field (or one oneof) if it is populated, and
// reports false if it cannot.
type fieldWriter[M any] func(w *jsonWriter, m M) bool

// newCodec builds a codec from writers keyed by proto field name, or by
// oneof name for a writer that handles the whole oneof.
func newCodec[M proto.Message](writers map[string]fieldWriter[M]) *codec[M] {
	var zero M
	md := zero.ProtoReflect().Descriptor()
	c := &codec[M]{}
	used := map[protoreflect.Name]bool{}
	fields := md.Fields()
	for i := range fields.Len() {
		key := fieldKey(fields.Get(i))
		if w, ok := writers[string(key)]; ok && !used[key] {
			c.writers = append(c.writers, w)
			used[key] = true
		}
	}
	for key := range writers {
		if !used[protoreflect.Name(key)] {
			panic("envoy: codec for " + string(md.FullName()) + " has a writer for unknown field " + key)
		}
	}
	st := reflect.TypeFor[M]().Elem()
	if st.Align() != 8 || st.Size()%8 != 0 {
		panic("envoy: codec for " + string(md.FullName()) + ": struct not made of words")
	}
	masks := make([][8]byte, st.Size()/8)
	for i := range st.NumField() {
		f := st.Field(i)
		key := goFieldKey(f)
		if key == "" || used[key] {
			continue
		}
		for b := f.Offset; b < f.Offset+f.Type.Size(); b++ {
			masks[b/8][b%8] = 0xff
		}
	}
	for w, m := range masks {
		if m != [8]byte{} {
			c.others = append(c.others, maskedWord{uintptr(w) * 8, *(*uint64)(unsafe.Pointer(&m))})
		}
	}
	return c
}

// fieldKey names a field's writer: its real oneof, or itself.
func fieldKey(fd protoreflect.FieldDescriptor) protoreflect.Name {
	if o := fd.ContainingOneof(); o != nil && !o.IsSynthetic() {
		return o.Name()
	}
	return fd.Name()
}

// goFieldKey is the writer key of a generated struct field, read from its
// protobuf tags; "" for the struct's internal state.
func goFieldKey(f reflect.StructField) protoreflect.Name {
	if o, ok := f.Tag.Lookup("protobuf_oneof"); ok {
		return protoreflect.Name(o)
	}
	return protoreflect.Name(xds.TaggedName(f))
}

// write writes m as a JSON object, or reports false.
func (c *codec[M]) write(w *jsonWriter, m M) bool {
	w.buf = append(w.buf, '{')
	w.comma = false
	if !c.writeFields(w, m) {
		return false
	}
	w.buf = append(w.buf, '}')
	w.comma = true
	return true
}

// writeFields writes m's fields into an object already open.
func (c *codec[M]) writeFields(w *jsonWriter, m M) bool {
	// M is a pointer to a generated struct: its word is the address.
	base := *(*unsafe.Pointer)(unsafe.Pointer(&m))
	for _, w := range c.others {
		if *(*uint64)(unsafe.Add(base, w.off))&w.mask != 0 {
			return false
		}
	}
	for _, f := range c.writers {
		if !f(w, m) {
			return false
		}
	}
	return true
}

// jsonWriter appends compact JSON, placing the commas.
type jsonWriter struct {
	buf   []byte
	comma bool
	// decoded holds what Anys were packed from (see writeAny).
	decoded map[*anypb.Any]proto.Message
}

func (w *jsonWriter) key(name string) {
	// Written in place after one check for room: keys are most of what
	// is written.
	n := len(w.buf)
	size := len(name) + 3
	if w.comma {
		size++
	}
	if cap(w.buf)-n < size {
		w.buf = slices.Grow(w.buf, size)
	}
	b := w.buf[:n+size]
	if w.comma {
		b[n] = ','
		n++
	}
	b[n] = '"'
	copy(b[n+1:], name)
	b[len(b)-2], b[len(b)-1] = '"', ':'
	w.buf = b
	w.comma = false
}

// jsonKey is a key as written: quoted, with its colon.
type jsonKey string

func quoted(name string) jsonKey { return jsonKey(`"` + name + `":`) }

// field writes a key quoted ahead of time: the codecs' field writers
// know theirs when they are made.
func (w *jsonWriter) field(k jsonKey) {
	if w.comma {
		w.buf = append(w.buf, ',')
	}
	w.buf = append(w.buf, k...)
	w.comma = false
}

func (w *jsonWriter) raw(s string) {
	w.buf = append(w.buf, s...)
	w.comma = true
}

// str writes a JSON string as protojson escapes it; invalid UTF-8, which
// protojson rejects, is refused.
func (w *jsonWriter) str(s string) bool {
	// Most strings need no escaping: they are copied in place after one
	// check for room.
	i := 0
	for i+8 <= len(s) && plain(s[i:i+8]) {
		i += 8
	}
	for i < len(s) && plainByte[s[i]] {
		i++
	}
	if i == len(s) {
		n := len(w.buf)
		if cap(w.buf)-n < len(s)+2 {
			w.buf = slices.Grow(w.buf, len(s)+2)
		}
		b := w.buf[:n+len(s)+2]
		b[n] = '"'
		copy(b[n+1:], s)
		b[len(b)-1] = '"'
		w.buf = b
		w.comma = true
		return true
	}
	return w.escaped(s, i)
}

// escaped writes a string that needs escaping from byte i on.
func (w *jsonWriter) escaped(s string, i int) bool {
	w.buf = append(w.buf, '"')
	start := 0
	for i < len(s) {
		// Eight bytes at a time while none needs a look of its own:
		// names, paths and hosts are plain ASCII.
		if i+8 <= len(s) && plain(s[i:i+8]) {
			i += 8
			continue
		}
		c := s[i]
		if plainByte[c] {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				return false
			}
			i += n
			continue
		}
		w.buf = append(w.buf, s[start:i]...)
		switch c {
		case '"', '\\':
			w.buf = append(w.buf, '\\', c)
		case '\b':
			w.buf = append(w.buf, '\\', 'b')
		case '\f':
			w.buf = append(w.buf, '\\', 'f')
		case '\n':
			w.buf = append(w.buf, '\\', 'n')
		case '\r':
			w.buf = append(w.buf, '\\', 'r')
		case '\t':
			w.buf = append(w.buf, '\\', 't')
		default:
			w.buf = append(w.buf, '\\', 'u', '0', '0', "0123456789abcdef"[c>>4], "0123456789abcdef"[c&0xf])
		}
		i++
		start = i
	}
	w.buf = append(w.buf, s[start:]...)
	w.buf = append(w.buf, '"')
	w.comma = true
	return true
}

// plain says whether none of s's eight bytes is a control character, a
// quote, a backslash or part of a multi-byte character: a byte-wise test
// on a word (a zero byte shows as a borrow into its top bit; a borrow
// across bytes can only call a plain word not plain, which costs the
// slow path, never a wrong escape). Small enough to be inlined.
func plain(s string) bool {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	// One load where the machine allows it (a view of the string's
	// bytes, not a copy).
	v := binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s), 8))
	q, b := v^(ones*'"'), v^(ones*'\\')
	return (v|(v-ones*' ')&^v|(q-ones)&^q|(b-ones)&^b)&highs == 0
}

// plainByte says which bytes str copies as they are.
var plainByte = func() (t [256]bool) {
	for c := range t {
		t[c] = c >= ' ' && c != '"' && c != '\\' && c < utf8.RuneSelf
	}
	return t
}()

func (w *jsonWriter) uint(v uint64) {
	w.buf = strconv.AppendUint(w.buf, v, 10)
	w.comma = true
}

func (w *jsonWriter) bool(v bool) {
	w.raw(strconv.FormatBool(v))
}

// enum writes an enum value's name, or its number when it has none.
func (w *jsonWriter) enum(e protoreflect.Enum) bool {
	n := e.Number()
	if v := e.Descriptor().Values().ByNumber(n); v != nil {
		return w.str(string(v.Name()))
	}
	w.buf = strconv.AppendInt(w.buf, int64(n), 10)
	w.comma = true
	return true
}

// duration writes a Duration as protojson does: seconds with 0, 3, 6 or
// 9 fractional digits. Out-of-range values are refused.
func (w *jsonWriter) duration(d *durationpb.Duration) bool {
	secs, nanos := d.GetSeconds(), int64(d.GetNanos())
	const maxSeconds = 315576000000
	if secs < -maxSeconds || secs > maxSeconds || nanos <= -1e9 || nanos >= 1e9 ||
		(secs > 0 && nanos < 0) || (secs < 0 && nanos > 0) {
		return false
	}
	w.buf = append(w.buf, '"')
	if secs < 0 || nanos < 0 {
		w.buf = append(w.buf, '-')
		secs, nanos = -secs, -nanos
	}
	w.buf = strconv.AppendInt(w.buf, secs, 10)
	if nanos != 0 {
		frac := strconv.AppendInt(nil, 1e9+nanos, 10)[1:] // nine digits
		for range 2 {
			if string(frac[len(frac)-3:]) != "000" {
				break
			}
			frac = frac[:len(frac)-3]
		}
		w.buf = append(w.buf, '.')
		w.buf = append(w.buf, frac...)
	}
	w.buf = append(w.buf, 's', '"')
	w.comma = true
	return true
}

// The writers below cover proto3's presence rules: a scalar is written
// when it is not zero, a message when it is set, a list when it is not
// empty.

func strField[M any](name string, get func(M) string) fieldWriter[M] {
	key := quoted(name)
	return func(w *jsonWriter, m M) bool {
		if s := get(m); s != "" {
			w.field(key)
			return w.str(s)
		}
		return true
	}
}

func uintField[M any](name string, get func(M) uint32) fieldWriter[M] {
	key := quoted(name)
	return func(w *jsonWriter, m M) bool {
		if v := get(m); v != 0 {
			w.field(key)
			w.uint(uint64(v))
		}
		return true
	}
}

func boolField[M any](name string, get func(M) bool) fieldWriter[M] {
	key := quoted(name)
	return func(w *jsonWriter, m M) bool {
		if get(m) {
			w.field(key)
			w.bool(true)
		}
		return true
	}
}

func enumField[M any, E interface {
	~int32
	protoreflect.Enum
}](name string, get func(M) E) fieldWriter[M] {
	return func(w *jsonWriter, m M) bool {
		if e := get(m); e != 0 {
			w.key(name)
			return w.enum(e)
		}
		return true
	}
}

func durationField[M any](name string, get func(M) *durationpb.Duration) fieldWriter[M] {
	key := quoted(name)
	return func(w *jsonWriter, m M) bool {
		if d := get(m); d != nil {
			w.field(key)
			return w.duration(d)
		}
		return true
	}
}

// A message type parameter is comparable: generated messages are
// pointers, and comparing with the zero value finds a nil one without
// reflection.
type message interface {
	comparable
	proto.Message
}

func messageField[M any, F message](name string, c **codec[F], get func(M) F) fieldWriter[M] {
	key := quoted(name)
	return func(w *jsonWriter, m M) bool {
		f := get(m)
		var zero F
		if f == zero {
			return true
		}
		w.field(key)
		return (*c).write(w, f)
	}
}

func listField[M any, F message](name string, c **codec[F], get func(M) []F) fieldWriter[M] {
	key := quoted(name)
	return func(w *jsonWriter, m M) bool {
		list := get(m)
		if len(list) == 0 {
			return true
		}
		w.field(key)
		w.buf = append(w.buf, '[')
		w.comma = false
		for _, f := range list {
			if w.comma {
				w.buf = append(w.buf, ',')
			}
			var zero F
			if f == zero || !(*c).write(w, f) {
				return false
			}
		}
		w.buf = append(w.buf, ']')
		w.comma = true
		return true
	}
}

func stringsField[M any](name string, get func(M) []string) fieldWriter[M] {
	key := quoted(name)
	return func(w *jsonWriter, m M) bool {
		list := get(m)
		if len(list) == 0 {
			return true
		}
		w.field(key)
		w.buf = append(w.buf, '[')
		for i, s := range list {
			if i > 0 {
				w.buf = append(w.buf, ',')
			}
			if !w.str(s) {
				return false
			}
		}
		w.buf = append(w.buf, ']')
		w.comma = true
		return true
	}
}
