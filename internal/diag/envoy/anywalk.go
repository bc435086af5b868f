package envoy

import (
	"cmp"
	"reflect"
	"slices"
	"sync"
	"unsafe"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/anypb"
)

// walkAnys calls decode for every Any in m and walks into the message it
// returns, so that Anys nested inside Anys are found too. It reads the
// generated Go structs directly, and only the fields whose types can hold
// an Any: protoreflect's Range would box every field of tens of thousands
// of routes, and route matchers hold no Any.
func walkAnys(m proto.Message, decode func(*anypb.Any) proto.Message) {
	if a, ok := m.(*anypb.Any); ok {
		walkAny(a, decode)
		return
	}
	v := reflect.ValueOf(m)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return // generated messages are pointers to structs
	}
	walkStruct(planOf(v.Type()), v.UnsafePointer(), decode)
}

func walkAny(a *anypb.Any, decode func(*anypb.Any) proto.Message) {
	if a != nil {
		if inner := decode(a); inner != nil {
			walkAnys(inner, decode)
		}
	}
}

// An anyPlan is where Anys can be in one generated message type: the
// fields whose types can hold one, by offset. A walk reads them through
// pointers, with no reflect.Value for each field it passes and no
// conversion to an interface: validation walks every listener, filter
// chain and connection manager of a configuration.
type anyPlan struct {
	steps []anyStep
}

type anyStep struct {
	kind stepKind
	off  uintptr
	// field is the field's type; plan the plan of the message type it
	// holds (or lists, or maps to), nil for an Any. Oneofs are planned
	// by member, as they are met.
	field reflect.Type
	plan  *anyPlan
}

type stepKind uint8

const (
	oneMessage  stepKind = iota // *M
	messageList                 // []*M
	messageMap                  // map[string]*M
	oneofField                  // an interface holding a *wrapper whose one field is the member
)

func walkStruct(plan *anyPlan, p unsafe.Pointer, decode func(*anypb.Any) proto.Message) {
	for i := range plan.steps {
		s := &plan.steps[i]
		at := unsafe.Add(p, s.off)
		switch s.kind {
		case oneMessage:
			walkMessage(s.plan, *(*unsafe.Pointer)(at), decode)
		case messageList:
			// A []*M is laid out as a []unsafe.Pointer.
			for _, e := range *(*[]unsafe.Pointer)(at) {
				walkMessage(s.plan, e, decode)
			}
		case messageMap:
			v := reflect.NewAt(s.field, at).Elem()
			if v.Len() == 0 {
				continue
			}
			// In key order, so that errors come out the same every time.
			keys := v.MapKeys()
			slices.SortFunc(keys, func(a, b reflect.Value) int { return cmp.Compare(a.String(), b.String()) })
			for _, k := range keys {
				walkMessage(s.plan, v.MapIndex(k).UnsafePointer(), decode)
			}
		case oneofField:
			w := reflect.NewAt(s.field, at).Elem().Elem()
			if w.Kind() != reflect.Pointer || w.IsNil() || w.Elem().Kind() != reflect.Struct || w.Elem().NumField() != 1 {
				continue // unset
			}
			if m := memberOf(w.Type()); m.walk {
				walkMessage(m.plan, *(*unsafe.Pointer)(w.UnsafePointer()), decode)
			}
		}
	}
}

// walkMessage walks the message at p, of the type plan is for (an Any
// when plan is nil).
func walkMessage(plan *anyPlan, p unsafe.Pointer, decode func(*anypb.Any) proto.Message) {
	if p == nil {
		return
	}
	if plan == nil {
		walkAny((*anypb.Any)(p), decode)
		return
	}
	walkStruct(plan, p, decode)
}

// oneofMember is how to walk what a oneof's wrapper type holds: nothing
// for a scalar, else the message's plan (nil for an Any).
type oneofMember struct {
	walk bool
	plan *anyPlan
}

var oneofMembers sync.Map // wrapper pointer type -> oneofMember

func memberOf(wrapper reflect.Type) oneofMember {
	if m, ok := oneofMembers.Load(wrapper); ok {
		return m.(oneofMember)
	}
	var m oneofMember
	if t := wrapper.Elem().Field(0).Type; isMessagePointer(t) {
		m.walk = true
		if t != anyType {
			m.plan = planOf(t)
		}
	}
	oneofMembers.Store(wrapper, m)
	return m
}

var (
	anyType = reflect.TypeFor[*anypb.Any]()
	// anyPlans are the plans made, by message pointer type; a plan is
	// stored once it and those it refers to are complete.
	anyPlans   sync.Map
	anyPlansMu sync.Mutex
)

// planOf is the plan for t, a pointer to a generated message.
func planOf(t reflect.Type) *anyPlan {
	if p, ok := anyPlans.Load(t); ok {
		return p.(*anyPlan)
	}
	anyPlansMu.Lock()
	defer anyPlansMu.Unlock()
	making := map[reflect.Type]*anyPlan{}
	p := makePlan(t, making)
	for t, p := range making {
		anyPlans.Store(t, p)
	}
	return p
}

// makePlan makes t's plan and those it refers to, in making until all
// are done (message types refer to each other in cycles).
func makePlan(t reflect.Type, making map[reflect.Type]*anyPlan) *anyPlan {
	if p, ok := anyPlans.Load(t); ok {
		return p.(*anyPlan)
	}
	if p, ok := making[t]; ok {
		return p
	}
	p := &anyPlan{}
	making[t] = p
	if !isMessagePointer(t) {
		return p
	}
	md := reflect.Zero(t).Interface().(proto.Message).ProtoReflect().Descriptor()
	st := t.Elem()
	for i := range st.NumField() {
		f := st.Field(i)
		key := goFieldKey(f)
		if key == "" {
			continue
		}
		if od := md.Oneofs().ByName(key); od != nil && !od.IsSynthetic() {
			for j := range od.Fields().Len() {
				if sub := od.Fields().Get(j).Message(); sub != nil && mayHoldAny(sub) {
					p.steps = append(p.steps, anyStep{kind: oneofField, off: f.Offset, field: f.Type})
					break
				}
			}
			continue
		}
		fd := md.Fields().ByName(key)
		if fd == nil {
			continue
		}
		sub, kind, elem := fd.Message(), oneMessage, f.Type
		switch {
		case fd.IsMap():
			sub, kind, elem = fd.MapValue().Message(), messageMap, f.Type.Elem()
		case fd.IsList():
			kind, elem = messageList, f.Type.Elem()
		}
		if sub == nil || !mayHoldAny(sub) || !isMessagePointer(elem) {
			continue
		}
		step := anyStep{kind: kind, off: f.Offset, field: f.Type}
		if elem != anyType {
			step.plan = makePlan(elem, making)
		}
		p.steps = append(p.steps, step)
	}
	return p
}

// isMessagePointer says whether t is a generated message's type.
func isMessagePointer(t reflect.Type) bool {
	return t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct && t.Implements(messageType)
}

var messageType = reflect.TypeFor[proto.Message]()

var anyHolders sync.Map // protoreflect.FullName -> bool

// mayHoldAny reports whether a message of this type can contain an Any,
// directly or through its fields' types.
func mayHoldAny(md protoreflect.MessageDescriptor) bool {
	if v, ok := anyHolders.Load(md.FullName()); ok {
		return v.(bool)
	}
	result := holdsAny(md, map[protoreflect.FullName]bool{})
	anyHolders.Store(md.FullName(), result)
	return result
}

func holdsAny(md protoreflect.MessageDescriptor, visiting map[protoreflect.FullName]bool) bool {
	if md.FullName() == "google.protobuf.Any" {
		return true
	}
	if visiting[md.FullName()] {
		return false // a cycle adds nothing new
	}
	visiting[md.FullName()] = true
	fields := md.Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		var sub protoreflect.MessageDescriptor
		switch {
		case fd.IsMap():
			sub = fd.MapValue().Message()
		default:
			sub = fd.Message()
		}
		if sub != nil && holdsAny(sub, visiting) {
			return true
		}
	}
	return false
}
