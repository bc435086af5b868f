package annotation

import (
	"reflect"
	"testing"
)

func TestSplitDocuments(t *testing.T) {
	// Each document as (number, line, first).
	type doc struct{ number, line, first int }
	for _, tc := range []struct {
		name  string
		value string
		want  []doc
	}{
		{"one document", "a: 1\nb: 2\n", []doc{{1, 1, 1}}},
		{"no trailing newline", "a: 1", []doc{{1, 1, 1}}},
		{"leading separator", "---\na: 1\n", []doc{{1, 2, 1}}},
		{"comments and blank lines before content", "# about\n\n---\n# more\n\na: 1\n", []doc{{1, 6, 3}}},
		{"empty documents are not numbered", "a: 1\n---\n---\n# nothing\n---\nb: 2\n", []doc{{1, 1, 1}, {2, 6, 5}}},
		{"content on the separator line", "a: 1\n--- {b: 2}\n", []doc{{1, 1, 1}, {2, 2, 2}}},
		{"comment on the separator line", "a: 1\n--- # next\nb: 2\n", []doc{{1, 1, 1}, {2, 3, 2}}},
		{"document end marker", "a: 1\n...\nb: 2\n", []doc{{1, 1, 1}, {2, 3, 3}}},
		{"CRLF line endings", "a: 1\r\n---\r\nb: 2\r\n", []doc{{1, 1, 1}, {2, 3, 2}}},
		{"dashes inside a value are not a separator", "a: |\n  ---\nb: 1\n", []doc{{1, 1, 1}}},
		{"only comments", "# nothing\n", nil},
		{"empty", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []doc
			for _, d := range splitDocuments(tc.value) {
				got = append(got, doc{d.number, d.line, d.first})
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
