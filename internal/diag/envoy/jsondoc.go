package envoy

import (
	"hash/crc32"
	"io"
	"net"
)

// JSONDoc is envoy.json as the pieces it is assembled from, in order:
// windows on the pieces' JSON, never copied. Writing it to a file copies
// each byte once; a 44 MB document is never held twice.
type JSONDoc struct {
	segs [][]byte
	size int
}

func (d *JSONDoc) add(b []byte) {
	if len(b) > 0 {
		d.segs = append(d.segs, b)
		d.size += len(b)
	}
}

// Len is the document's length in bytes.
func (d *JSONDoc) Len() int { return d.size }

// WriteTo writes the document (with writev where w can).
func (d *JSONDoc) WriteTo(w io.Writer) (int64, error) {
	bufs := net.Buffers(append([][]byte(nil), d.segs...))
	return bufs.WriteTo(w)
}

// Bytes is the document in one slice (made on each call).
func (d *JSONDoc) Bytes() []byte {
	out := make([]byte, 0, d.size)
	for _, s := range d.segs {
		out = append(out, s...)
	}
	return out
}

// Checksum is the document's CRC-32C (Castagnoli).
func (d *JSONDoc) Checksum() uint32 {
	table := crc32.MakeTable(crc32.Castagnoli)
	var sum uint32
	for _, s := range d.segs {
		sum = crc32.Update(sum, table, s)
	}
	return sum
}
