package re2size

import (
	"regexp/syntax"
	"slices"
	"unicode"
)

// op is a node of RE2's parse tree.
type op uint8

const (
	opNoMatch op = iota
	opEmptyMatch
	opLiteral // one rune, or a string of them
	opCharClass
	opAnyChar
	opBeginLine
	opEndLine
	opBeginText
	opEndText
	opWordBoundary
	opNoWordBoundary
	opCapture
	opStar
	opPlus
	opQuest
	opRepeat
	opConcat
	opAlternate
)

// node is a regular expression as RE2's parser and simplifier shape it.
// Nodes are never changed once built: an unchanged subtree keeps its
// pointer, which is how RE2's simplifier tells what it rewrote.
type node struct {
	op    op
	flags syntax.Flags
	runes []rune // opLiteral: the runes; opCharClass: lo, hi pairs, sorted
	min   int    // opRepeat
	max   int    // opRepeat; -1 for no maximum
	cap   int    // opCapture
	name  string // opCapture
	sub   []*node
}

func isRepeatOp(o op) bool { return o == opStar || o == opPlus || o == opQuest }

// plainOps are Go's ops that carry nothing but their flags, each the
// same in RE2's tree; repeatOps are its repetitions.
var (
	plainOps = map[syntax.Op]op{
		syntax.OpNoMatch: opNoMatch, syntax.OpEmptyMatch: opEmptyMatch, syntax.OpAnyChar: opAnyChar,
		syntax.OpBeginLine: opBeginLine, syntax.OpEndLine: opEndLine,
		syntax.OpBeginText: opBeginText, syntax.OpEndText: opEndText,
		syntax.OpWordBoundary: opWordBoundary, syntax.OpNoWordBoundary: opNoWordBoundary,
	}
	repeatOps = map[syntax.Op]op{syntax.OpStar: opStar, syntax.OpPlus: opPlus, syntax.OpQuest: opQuest}
)

// fromSyntax is re in the shape RE2's parser gives it. Go's parser is a
// port of RE2's and mostly agrees; where they differ, RE2's shape is
// rebuilt:
//   - `.` is a class of every rune but \n;
//   - a case-folded literal is, rune by rune, a plain literal (no other
//     case), an ASCII letter matched either way, or a class of its case
//     variants (RE2 keeps only the ASCII pairs as literals);
//   - a repetition of a repetition with the same flags is squashed, as
//     RE2's parser squashes (?:a+)? to a*;
//   - alternations are factored as RE2 factors them (see withMarkers).
func fromSyntax(re *syntax.Regexp) *node {
	if o, ok := plainOps[re.Op]; ok {
		return &node{op: o, flags: re.Flags}
	}
	switch re.Op {
	case syntax.OpLiteral:
		pieces := literalPieces(re)
		if len(pieces) == 1 {
			return pieces[0]
		}
		return &node{op: opConcat, flags: re.Flags, sub: pieces}
	case syntax.OpCharClass:
		return &node{op: opCharClass, flags: re.Flags &^ syntax.FoldCase, runes: slices.Clone(re.Rune)}
	case syntax.OpAnyCharNotNL:
		return &node{op: opCharClass, flags: re.Flags &^ syntax.FoldCase, runes: []rune{0, '\n' - 1, '\n' + 1, unicode.MaxRune}}
	case syntax.OpCapture:
		return &node{op: opCapture, flags: re.Flags, cap: re.Cap, name: re.Name, sub: []*node{fromSyntax(re.Sub[0])}}
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest:
		o := repeatOps[re.Op]
		sub := fromSyntax(re.Sub[0])
		if isRepeatOp(sub.op) && sub.flags == re.Flags {
			if sub.op == o {
				return sub
			}
			return &node{op: opStar, flags: sub.flags, sub: sub.sub}
		}
		return &node{op: o, flags: re.Flags, sub: []*node{sub}}
	case syntax.OpRepeat:
		return &node{op: opRepeat, flags: re.Flags, min: re.Min, max: re.Max, sub: []*node{fromSyntax(re.Sub[0])}}
	case syntax.OpConcat:
		out := &node{op: opConcat, flags: re.Flags}
		for _, s := range re.Sub {
			if s.Op == syntax.OpLiteral {
				// RE2 keeps the literal pieces in the concatenation.
				out.sub = append(out.sub, literalPieces(s)...)
				continue
			}
			out.sub = append(out.sub, fromSyntax(s))
		}
		return out
	case syntax.OpAlternate:
		subs := make([]*node, len(re.Sub))
		for i, s := range re.Sub {
			subs[i] = withoutMarker(fromSyntax(s))
		}
		return alternate(subs, re.Flags)
	}
	// Go's parser makes no other op.
	return &node{op: opNoMatch, flags: re.Flags}
}

// literalPieces are the nodes RE2's parser makes of a literal: runs of
// literal runes with the same flags, and a class for each rune whose case
// variants are not just an ASCII letter pair.
func literalPieces(re *syntax.Regexp) []*node {
	if re.Flags&syntax.FoldCase == 0 {
		return []*node{{op: opLiteral, flags: re.Flags, runes: slices.Clone(re.Rune)}}
	}
	var out []*node
	var run []rune
	flush := func() {
		if len(run) > 0 {
			out = append(out, &node{op: opLiteral, flags: re.Flags, runes: run})
			run = nil
		}
	}
	for _, r := range re.Rune {
		variants := caseOrbit(r)
		switch {
		case len(variants) == 1:
			run = append(run, r)
		case len(variants) == 2 && variants[0] >= 'A' && variants[0] <= 'Z' && variants[1] == variants[0]+'a'-'A':
			run = append(run, variants[1])
		default:
			flush()
			class := make([]rune, 0, 2*len(variants))
			for _, v := range variants {
				class = append(class, v, v)
			}
			out = append(out, &node{op: opCharClass, flags: re.Flags &^ syntax.FoldCase, runes: mergeRanges(class)})
		}
	}
	flush()
	return out
}

// caseOrbit is r and every rune that matches it ignoring case, sorted.
func caseOrbit(r rune) []rune {
	out := []rune{r}
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		out = append(out, f)
	}
	slices.Sort(out)
	return out
}

// mergeRanges sorts lo, hi pairs and joins those that touch.
func mergeRanges(pairs []rune) []rune {
	type rng struct{ lo, hi rune }
	rs := make([]rng, 0, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		rs = append(rs, rng{pairs[i], pairs[i+1]})
	}
	slices.SortFunc(rs, func(a, b rng) int { return int(a.lo - b.lo) })
	out := make([]rune, 0, len(pairs))
	for _, r := range rs {
		if n := len(out); n > 0 && r.lo <= out[n-1]+1 {
			out[n-1] = max(out[n-1], r.hi)
			continue
		}
		out = append(out, r.lo, r.hi)
	}
	return out
}
