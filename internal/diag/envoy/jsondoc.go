package envoy

import (
	"bufio"
	"hash/crc32"
	"io"
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

// WriteTo writes the document through a buffer of a megabyte: segments
// are mostly a few hundred bytes (one per route), too many for writev to
// be cheap, and gathering them costs a copy of a megabyte at a time, not
// of the whole document.
func (d *JSONDoc) WriteTo(w io.Writer) (int64, error) {
	bw := bufio.NewWriterSize(w, min(d.size, 1<<20))
	var n int64
	for _, s := range d.segs {
		m, err := bw.Write(s)
		n += int64(m)
		if err != nil {
			return n, err
		}
	}
	return n, bw.Flush()
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
