// Package prototest holds helpers for tests that go over every field of
// a generated protobuf message.
package prototest

import "google.golang.org/protobuf/reflect/protoreflect"

// SetSomething gives field fd of m a value other than its zero: one
// entry for a list or map, an empty message, or a non-zero scalar.
func SetSomething(m protoreflect.Message, fd protoreflect.FieldDescriptor) {
	switch {
	case fd.IsMap():
		mp := m.Mutable(fd).Map()
		key := scalar(fd.MapKey()).MapKey()
		if fd.MapValue().Message() != nil {
			mp.Set(key, protoreflect.ValueOfMessage(mp.NewValue().Message()))
		} else {
			mp.Set(key, scalar(fd.MapValue()))
		}
	case fd.IsList():
		list := m.Mutable(fd).List()
		if fd.Message() != nil {
			list.Append(list.NewElement())
		} else {
			list.Append(scalar(fd))
		}
	case fd.Message() != nil:
		m.Set(fd, protoreflect.ValueOfMessage(m.NewField(fd).Message()))
	default:
		m.Set(fd, scalar(fd))
	}
}

// scalar is a non-zero value of fd's kind (an enum's last value).
func scalar(fd protoreflect.FieldDescriptor) protoreflect.Value {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(true)
	case protoreflect.EnumKind:
		values := fd.Enum().Values()
		return protoreflect.ValueOfEnum(values.Get(values.Len() - 1).Number())
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return protoreflect.ValueOfInt32(7)
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return protoreflect.ValueOfInt64(7)
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return protoreflect.ValueOfUint32(7)
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return protoreflect.ValueOfUint64(7)
	case protoreflect.FloatKind:
		return protoreflect.ValueOfFloat32(1.5)
	case protoreflect.DoubleKind:
		return protoreflect.ValueOfFloat64(1.5)
	case protoreflect.StringKind:
		return protoreflect.ValueOfString("x")
	case protoreflect.BytesKind:
		return protoreflect.ValueOfBytes([]byte("x"))
	}
	panic("no value for kind " + fd.Kind().String())
}
