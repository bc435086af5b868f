package re2size

import (
	"regexp/syntax"
	"strings"
)

// Go's parser and RE2's factor alternations differently (RE2 also
// factors a common leading ^, $, \b or a{2}; Go also merges empty
// alternatives), and Go's tree keeps no trace of the alternatives it
// started from. So each alternative is parsed with a marker in front:
// two copies of a private-use rune, never the same for neighbours, which
// Go cannot factor. The markers are taken off again and the alternation
// factored as RE2 factors it.

const (
	markerEven = 0xF0000
	markerOdd  = 0xF0001
)

// withMarkers is expr with a marker before each alternative of each
// group (and of the whole expression) that has more than one.
func withMarkers(expr string) string {
	type group struct {
		starts []int // where each alternative begins
	}
	stack := []*group{{starts: []int{0}}}
	var done []*group
	for i := 0; i < len(expr); i++ {
		switch expr[i] {
		case '\\':
			i = skipEscape(expr, i)
		case '[':
			i = skipClass(expr, i)
		case '(':
			if strings.HasPrefix(expr[i:], "(?") {
				end := strings.IndexAny(expr[i+2:], ":)>")
				if end < 0 {
					return expr
				}
				end += i + 2
				if expr[end] == ')' {
					i = end // (?flags) opens no group
					continue
				}
				stack = append(stack, &group{starts: []int{end + 1}})
				i = end
				continue
			}
			stack = append(stack, &group{starts: []int{i + 1}})
		case ')':
			if len(stack) == 1 {
				return expr
			}
			done = append(done, stack[len(stack)-1])
			stack = stack[:len(stack)-1]
		case '|':
			g := stack[len(stack)-1]
			g.starts = append(g.starts, i+1)
		}
	}
	if len(stack) != 1 {
		return expr
	}
	done = append(done, stack[0])
	inserts := map[int]string{}
	for _, g := range done {
		if len(g.starts) < 2 {
			continue
		}
		for k, at := range g.starts {
			m := `\x{F0000}\x{F0000}`
			if k%2 == 1 {
				m = `\x{F0001}\x{F0001}`
			}
			inserts[at] = m
		}
	}
	if len(inserts) == 0 {
		return expr
	}
	var b strings.Builder
	for i := 0; i <= len(expr); i++ {
		b.WriteString(inserts[i])
		if i < len(expr) {
			b.WriteByte(expr[i])
		}
	}
	return b.String()
}

// skipEscape returns the index of the last byte of the escape at i.
func skipEscape(expr string, i int) int {
	if i+1 >= len(expr) {
		return i
	}
	switch expr[i+1] {
	case 'Q':
		if end := strings.Index(expr[i+2:], `\E`); end >= 0 {
			return i + 2 + end + 1
		}
		return len(expr) - 1
	case 'p', 'P', 'x':
		if i+2 < len(expr) && expr[i+2] == '{' {
			if end := strings.IndexByte(expr[i+2:], '}'); end >= 0 {
				return i + 2 + end
			}
		}
	}
	return i + 1
}

// skipClass returns the index of the ] closing the class at i.
func skipClass(expr string, i int) int {
	j := i + 1
	if j < len(expr) && expr[j] == '^' {
		j++
	}
	if j < len(expr) && expr[j] == ']' {
		j++ // a ] first is a literal
	}
	for ; j < len(expr); j++ {
		switch {
		case expr[j] == '\\':
			j = skipEscape(expr, j)
		case strings.HasPrefix(expr[j:], "[:"):
			if end := strings.Index(expr[j+2:], ":]"); end >= 0 {
				j += 2 + end + 1
			}
		case expr[j] == ']':
			return j
		}
	}
	return len(expr) - 1
}

// withoutMarker is an alternative with its marker taken off.
func withoutMarker(alt *node) *node {
	lit, rest := alt, []*node(nil)
	if alt.op == opConcat && len(alt.sub) > 0 {
		lit, rest = alt.sub[0], alt.sub[1:]
	}
	if lit.op != opLiteral || len(lit.runes) < 2 || !isMarker(lit.runes[0]) || lit.runes[1] != lit.runes[0] {
		return alt
	}
	if len(lit.runes) > 2 {
		stripped := *lit
		stripped.runes = lit.runes[2:]
		rest = append([]*node{&stripped}, rest...)
	}
	switch len(rest) {
	case 0:
		return &node{op: opEmptyMatch, flags: alt.flags}
	case 1:
		return rest[0]
	}
	return &node{op: opConcat, flags: alt.flags, sub: rest}
}

func isMarker(r rune) bool { return r == markerEven || r == markerOdd }

// alternate is what RE2's parser makes of alternatives: nested
// alternations spliced in, then factored.
func alternate(subs []*node, flags syntax.Flags) *node {
	var flat []*node
	for _, s := range subs {
		if s.op == opAlternate {
			flat = append(flat, s.sub...)
			continue
		}
		flat = append(flat, s)
	}
	flat = factor(flat, flags)
	if len(flat) == 1 {
		return flat[0]
	}
	return &node{op: opAlternate, flags: flags, sub: flat}
}

// factor is RE2's FactorAlternation: common leading literal strings are
// taken out of neighbouring alternatives, then common leading empty-width
// operators, classes and fixed repetitions of one character, and runs of
// single characters and classes become one class.
func factor(subs []*node, flags syntax.Flags) []*node {
	subs = factorRound(subs, flags, leadingStrings)
	subs = factorRound(subs, flags, leadingPieces)
	return mergeClasses(subs, flags)
}

// splice is a run of neighbouring alternatives sharing a prefix, and the
// alternatives without it.
type splice struct {
	start, end int
	prefix     *node
	rest       []*node
}

func factorRound(subs []*node, flags syntax.Flags, find func([]*node) []splice) []*node {
	splices := find(subs)
	if len(splices) == 0 {
		return subs
	}
	var out []*node
	i := 0
	for _, s := range splices {
		out = append(out, subs[i:s.start]...)
		rest := factor(s.rest, flags)
		var alt *node
		if len(rest) == 1 {
			alt = rest[0]
		} else {
			alt = &node{op: opAlternate, flags: flags, sub: rest}
		}
		out = append(out, &node{op: opConcat, flags: flags, sub: []*node{s.prefix, alt}})
		i = s.end
	}
	return append(out, subs[i:]...)
}

// leadingString is the literal an alternative starts with, looking
// through concatenations.
func leadingString(re *node) ([]rune, syntax.Flags) {
	for re.op == opConcat && len(re.sub) > 0 {
		re = re.sub[0]
	}
	if re.op == opLiteral {
		return re.runes, re.flags & syntax.FoldCase
	}
	return nil, re.flags & syntax.FoldCase
}

func leadingStrings(subs []*node) []splice {
	var out []splice
	start := 0
	var runes []rune // the run's common prefix; none before the first
	var runeFlags syntax.Flags
	for i := 0; i <= len(subs); i++ {
		var runesI []rune
		var flagsI syntax.Flags
		if i < len(subs) {
			runesI, flagsI = leadingString(subs[i])
			if flagsI == runeFlags {
				same := 0
				for same < len(runes) && same < len(runesI) && runes[same] == runesI[same] {
					same++
				}
				if same > 0 {
					runes = runes[:same]
					continue
				}
			}
		}
		if i-start >= 2 {
			s := splice{start: start, end: i, prefix: literalString(runes, runeFlags)}
			for _, sub := range subs[start:i] {
				s.rest = append(s.rest, removeLeadingString(sub, len(runes)))
			}
			out = append(out, s)
		}
		if i < len(subs) {
			start, runes, runeFlags = i, runesI, flagsI
		}
	}
	return out
}

// removeLeadingString is re without its first n runes (RE2 looks
// through at most four levels of concatenation).
func removeLeadingString(re *node, n int) *node {
	return removeLeading(re, n, 0)
}

func removeLeading(re *node, n, depth int) *node {
	switch re.op {
	case opConcat:
		if len(re.sub) == 0 {
			return re
		}
		first := removeLeading(re.sub[0], n, depth+1)
		if depth >= 4 || first.op != opEmptyMatch {
			out := *re
			out.sub = append([]*node{first}, re.sub[1:]...)
			return &out
		}
		return withoutFirst(re)
	case opLiteral:
		if n >= len(re.runes) {
			return &node{op: opEmptyMatch, flags: re.flags}
		}
		out := *re
		out.runes = re.runes[n:]
		return &out
	}
	return re
}

// leadingPiece is what RE2 may factor out of an alternative in its
// second round: the first element of a concatenation, or the whole.
func leadingPiece(re *node) *node {
	if re.op == opEmptyMatch {
		return nil
	}
	if re.op == opConcat && len(re.sub) >= 2 {
		if re.sub[0].op == opEmptyMatch {
			return nil
		}
		return re.sub[0]
	}
	return re
}

func removeLeadingPiece(re *node) *node {
	switch {
	case leadingPiece(re) == nil:
		return re
	case re.op == opConcat && len(re.sub) >= 2:
		return withoutFirst(re)
	}
	return &node{op: opEmptyMatch, flags: re.flags}
}

// withoutFirst is a concatenation of two or more without its first
// part: the second alone, or the rest.
func withoutFirst(re *node) *node {
	if len(re.sub) == 2 {
		return re.sub[1]
	}
	out := *re
	out.sub = re.sub[1:]
	return &out
}

func factorablePiece(re *node) bool {
	switch re.op {
	case opBeginLine, opEndLine, opWordBoundary, opNoWordBoundary, opBeginText, opEndText, opCharClass, opAnyChar:
		return true
	case opRepeat:
		x := re.sub[0]
		return re.min == re.max && (x.op == opLiteral && len(x.runes) == 1 || x.op == opCharClass || x.op == opAnyChar)
	}
	return false
}

func leadingPieces(subs []*node) []splice {
	var out []splice
	start := 0
	var first *node
	for i := 0; i <= len(subs); i++ {
		var firstI *node
		if i < len(subs) {
			firstI = leadingPiece(subs[i])
			if first != nil && firstI != nil && factorablePiece(first) && equal(first, firstI) {
				continue
			}
		}
		if i-start >= 2 {
			s := splice{start: start, end: i, prefix: first}
			for _, sub := range subs[start:i] {
				s.rest = append(s.rest, removeLeadingPiece(sub))
			}
			out = append(out, s)
		}
		if i < len(subs) {
			start, first = i, firstI
		}
	}
	return out
}

// mergeClasses makes each run of alternatives that are single runes or
// classes one class.
func mergeClasses(subs []*node, flags syntax.Flags) []*node {
	isChar := func(re *node) bool {
		return re.op == opLiteral && len(re.runes) == 1 || re.op == opCharClass
	}
	var out []*node
	for i := 0; i < len(subs); {
		j := i + 1
		for isChar(subs[i]) && j < len(subs) && isChar(subs[j]) {
			j++
		}
		if j-i < 2 {
			out = append(out, subs[i])
			i = j
			continue
		}
		var ranges []rune
		for _, re := range subs[i:j] {
			switch {
			case re.op == opCharClass:
				ranges = append(ranges, re.runes...)
			case re.flags&syntax.FoldCase != 0:
				for _, v := range caseOrbit(re.runes[0]) {
					ranges = append(ranges, v, v)
				}
			default:
				ranges = append(ranges, re.runes[0], re.runes[0])
			}
		}
		out = append(out, &node{op: opCharClass, flags: flags &^ syntax.FoldCase, runes: mergeRanges(ranges)})
		i = j
	}
	return out
}
