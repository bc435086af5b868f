package annotation

import "strings"

// document is one YAML document of an annotation value.
type document struct {
	// number counts documents with content from 1; empty documents (only
	// blank lines, comments and separators) are not numbered, so the
	// numbers are the ones a reader counts.
	number int
	// line is the 1-based line, within the annotation value, of the
	// document's first content line.
	line int
	// first is the 1-based line where the document's text begins (its
	// `---` separator, if it has one).
	first int
	// text is the document's own lines, separator included.
	text string
}

// source returns the document's own text. Parsing each document on its
// own (rather than the stream at once) is what lets a malformed document
// be reported without hiding the ones after it; the YAML parser's line
// numbers are then moved by lineOffset to be lines of the whole value.
func (d document) source() []byte {
	return []byte(d.text)
}

// lineOffset is how many lines of the whole value come before the
// document's text; the YAML parser counts lines from the text alone.
func (d document) lineOffset() int { return d.first - 1 }

// splitDocuments cuts a YAML stream into its documents, the way
// k8s.io/apimachinery's YAML reader does: a line that is `---` (alone or
// followed by a space and more) starts a document, and a `...` line ends
// one. Directives and separators only appear at the start of a line, so
// this never cuts inside a value.
func splitDocuments(value string) []document {
	var (
		docs    []document
		text    strings.Builder
		first   = 1
		content = 0 // line of the current document's first content line
	)
	flush := func(next int) {
		if content != 0 {
			docs = append(docs, document{number: len(docs) + 1, line: content, first: first, text: text.String()})
		}
		text.Reset()
		first, content = next, 0
	}
	for i, raw := range strings.SplitAfter(value, "\n") {
		n := i + 1
		line := strings.TrimRight(raw, "\r\n")
		switch {
		case isSeparator(line):
			flush(n)
			if hasContent(line[3:]) {
				content = n // `--- {inline: document}`
			}
			text.WriteString(raw)
		case isEnd(line):
			text.WriteString(raw)
			flush(n + 1)
		default:
			if content == 0 && hasContent(line) && !strings.HasPrefix(line, "%") {
				content = n
			}
			text.WriteString(raw)
		}
	}
	flush(0)
	return docs
}

func isSeparator(line string) bool {
	return line == "---" || strings.HasPrefix(line, "--- ") || strings.HasPrefix(line, "---\t")
}

func isEnd(line string) bool {
	return line == "..." || strings.HasPrefix(line, "... ") || strings.HasPrefix(line, "...\t")
}

// hasContent reports whether a line holds more than blanks and a comment.
func hasContent(line string) bool {
	line = strings.TrimSpace(line)
	return line != "" && !strings.HasPrefix(line, "#")
}
