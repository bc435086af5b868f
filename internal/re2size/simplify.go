package re2size

import (
	"regexp/syntax"
	"slices"
	"unicode"
)

// requiredPrefix splits ^literal... into the part RE2 compiles: what
// follows the literal, which RE2 matches by itself. It reports false when
// re does not start with ^ and a literal.
func requiredPrefix(re *node) (*node, bool) {
	if re.op != opConcat {
		return nil, false
	}
	i := 0
	for i < len(re.sub) && re.sub[i].op == opBeginText {
		i++
	}
	if i == 0 || i >= len(re.sub) || re.sub[i].op != opLiteral {
		return nil, false
	}
	rest := re.sub[i+1:]
	if len(rest) == 0 {
		return &node{op: opEmptyMatch, flags: re.flags}, true
	}
	return concat(rest, re.flags), true
}

// concat is RE2's Regexp::Concat: one part is itself.
func concat(subs []*node, flags syntax.Flags) *node {
	switch len(subs) {
	case 0:
		return &node{op: opEmptyMatch, flags: flags}
	case 1:
		return subs[0]
	}
	return &node{op: opConcat, flags: flags, sub: slices.Clone(subs)}
}

// repeatOf is RE2's Regexp::Star, Plus and Quest, which squash a
// repetition of a repetition with the same flags.
func repeatOf(o op, sub *node, flags syntax.Flags) *node {
	if sub.op == o && sub.flags == flags {
		return sub
	}
	if isRepeatOp(sub.op) && sub.flags == flags {
		if sub.op == opStar {
			return sub
		}
		return &node{op: opStar, flags: flags, sub: sub.sub}
	}
	return &node{op: o, flags: flags, sub: []*node{sub}}
}

// simplify is RE2's Regexp::Simplify: runs of repetitions of one thing
// are coalesced, then counted repetitions expanded and empty or full
// classes replaced.
func simplify(re *node) *node { return simplifyNode(coalesce(re)) }

func coalesce(re *node) *node {
	if len(re.sub) == 0 {
		return re
	}
	subs := make([]*node, len(re.sub))
	changed := false
	for i, s := range re.sub {
		subs[i] = coalesce(s)
		changed = changed || subs[i] != s
	}
	if re.op == opConcat {
		coalesced := false
		for i := 0; i+1 < len(subs); i++ {
			if canCoalesce(subs[i], subs[i+1]) {
				subs[i], subs[i+1] = doCoalesce(subs[i], subs[i+1])
				coalesced = true
			}
		}
		if coalesced {
			kept := subs[:0]
			for _, s := range subs {
				if s.op != opEmptyMatch {
					kept = append(kept, s)
				}
			}
			return &node{op: opConcat, flags: re.flags, sub: kept}
		}
	}
	if !changed {
		return re
	}
	out := *re
	out.sub = subs
	return &out
}

// canCoalesce: r1 is a repetition of a literal rune, class or any
// character, and r2 a repetition of the same, the same thing once, or a
// literal string starting with that rune.
func canCoalesce(r1, r2 *node) bool {
	if !isRepeatOp(r1.op) && r1.op != opRepeat {
		return false
	}
	x := r1.sub[0]
	if !(x.op == opLiteral && len(x.runes) == 1) && x.op != opCharClass && x.op != opAnyChar {
		return false
	}
	if (isRepeatOp(r2.op) || r2.op == opRepeat) && equal(x, r2.sub[0]) &&
		r1.flags&syntax.NonGreedy == r2.flags&syntax.NonGreedy {
		return true
	}
	if equal(x, r2) {
		return true
	}
	return x.op == opLiteral && r2.op == opLiteral && len(r2.runes) > 1 &&
		r2.runes[0] == x.runes[0] && x.flags&syntax.FoldCase == r2.flags&syntax.FoldCase
}

// doCoalesce makes r1 and r2 one counted repetition; the other place is
// left empty, or holds what remains of a literal string.
func doCoalesce(r1, r2 *node) (*node, *node) {
	rep := &node{op: opRepeat, flags: r1.flags, sub: []*node{r1.sub[0]}}
	switch r1.op {
	case opStar:
		rep.min, rep.max = 0, -1
	case opPlus:
		rep.min, rep.max = 1, -1
	case opQuest:
		rep.min, rep.max = 0, 1
	case opRepeat:
		rep.min, rep.max = r1.min, r1.max
	}
	empty := &node{op: opEmptyMatch}
	switch {
	case r2.op == opStar:
		rep.max = -1
	case r2.op == opPlus:
		rep.min++
		rep.max = -1
	case r2.op == opQuest:
		if rep.max != -1 {
			rep.max++
		}
	case r2.op == opRepeat:
		rep.min += r2.min
		if r2.max == -1 {
			rep.max = -1
		} else if rep.max != -1 {
			rep.max += r2.max
		}
	case r2.op == opLiteral && len(r2.runes) > 1:
		r := r1.sub[0].runes[0]
		n := 1
		for n < len(r2.runes) && r2.runes[n] == r {
			n++
		}
		rep.min += n
		if rep.max != -1 {
			rep.max += n
		}
		if n < len(r2.runes) {
			return rep, literalString(r2.runes[n:], r2.flags)
		}
	default: // the same literal, class or any character, once
		rep.min++
		if rep.max != -1 {
			rep.max++
		}
	}
	return empty, rep
}

// literalString is RE2's Regexp::LiteralString.
func literalString(runes []rune, flags syntax.Flags) *node {
	if len(runes) == 0 {
		return &node{op: opEmptyMatch, flags: flags}
	}
	return &node{op: opLiteral, flags: flags, runes: slices.Clone(runes)}
}

// equal is RE2's Regexp::Equal.
func equal(a, b *node) bool {
	if a.op != b.op || len(a.sub) != len(b.sub) {
		return false
	}
	switch a.op {
	case opEndText:
		if (a.flags^b.flags)&syntax.WasDollar != 0 {
			return false
		}
	case opLiteral:
		if !slices.Equal(a.runes, b.runes) || (a.flags^b.flags)&syntax.FoldCase != 0 {
			return false
		}
	case opStar, opPlus, opQuest:
		if (a.flags^b.flags)&syntax.NonGreedy != 0 {
			return false
		}
	case opRepeat:
		if (a.flags^b.flags)&syntax.NonGreedy != 0 || a.min != b.min || a.max != b.max {
			return false
		}
	case opCapture:
		if a.cap != b.cap || a.name != b.name {
			return false
		}
	case opCharClass:
		if !slices.Equal(a.runes, b.runes) {
			return false
		}
	}
	for i := range a.sub {
		if !equal(a.sub[i], b.sub[i]) {
			return false
		}
	}
	return true
}

func simplifyNode(re *node) *node {
	switch re.op {
	case opConcat, opAlternate, opCapture:
		subs, changed := simplifySubs(re)
		if !changed {
			return re
		}
		out := *re
		out.sub = subs
		return &out
	case opStar, opPlus, opQuest:
		sub := simplifyNode(re.sub[0])
		if sub.op == opEmptyMatch {
			return sub
		}
		if sub == re.sub[0] {
			return re
		}
		if re.op == sub.op && re.flags == sub.flags {
			return sub
		}
		return &node{op: re.op, flags: re.flags, sub: []*node{sub}}
	case opRepeat:
		sub := simplifyNode(re.sub[0])
		if sub.op == opEmptyMatch {
			return sub
		}
		return simplifyRepeat(sub, re.min, re.max, re.flags)
	case opCharClass:
		if len(re.runes) == 0 {
			return &node{op: opNoMatch, flags: re.flags}
		}
		if len(re.runes) == 2 && re.runes[0] == 0 && re.runes[1] == unicode.MaxRune {
			return &node{op: opAnyChar, flags: re.flags}
		}
	}
	return re
}

func simplifySubs(re *node) ([]*node, bool) {
	subs := make([]*node, len(re.sub))
	changed := false
	for i, s := range re.sub {
		subs[i] = simplifyNode(s)
		changed = changed || subs[i] != s
	}
	return subs, changed
}

func isEmptyWidth(re *node) bool {
	switch re.op {
	case opBeginLine, opEndLine, opWordBoundary, opNoWordBoundary, opBeginText, opEndText:
		return true
	}
	return false
}

// simplifyRepeat writes x{lo,hi} with *, + and ?: x{2,5} is
// xx(x(x(x)?)?)?, x{3,} is xxx+ (hi -1 is no maximum).
func simplifyRepeat(x *node, lo, hi int, flags syntax.Flags) *node {
	if emptyWidthOnly(x) {
		lo, hi = min(lo, 1), min(hi, 1)
	}
	if hi == -1 {
		switch lo {
		case 0:
			return repeatOf(opStar, x, flags)
		case 1:
			return repeatOf(opPlus, x, flags)
		}
		subs := make([]*node, lo)
		for i := range lo - 1 {
			subs[i] = x
		}
		subs[lo-1] = repeatOf(opPlus, x, flags)
		return concat(subs, flags)
	}
	if lo == 0 && hi == 0 {
		return &node{op: opEmptyMatch, flags: flags}
	}
	if lo == 1 && hi == 1 {
		return x
	}
	var out *node
	if lo > 0 {
		subs := make([]*node, lo)
		for i := range subs {
			subs[i] = x
		}
		out = concat(subs, flags)
	}
	if hi > lo {
		suffix := repeatOf(opQuest, x, flags)
		for i := lo + 1; i < hi; i++ {
			suffix = repeatOf(opQuest, &node{op: opConcat, flags: flags, sub: []*node{x, suffix}}, flags)
		}
		if out == nil {
			out = suffix
		} else {
			out = &node{op: opConcat, flags: flags, sub: []*node{out, suffix}}
		}
	}
	if out == nil {
		return &node{op: opNoMatch, flags: flags}
	}
	return out
}

// emptyWidthOnly reports whether x matches only empty text at a place:
// an assertion, or a concatenation or alternation of them. RE2 repeats
// these at most once.
func emptyWidthOnly(x *node) bool {
	if isEmptyWidth(x) {
		return true
	}
	if (x.op != opConcat && x.op != opAlternate) || len(x.sub) == 0 {
		return false
	}
	for _, s := range x.sub {
		if !isEmptyWidth(s) {
			return false
		}
	}
	return true
}

// anchorStart reports whether re must match at the start of the text
// (RE2's IsAnchorStart: a leading \A, looked for four levels deep through
// concatenations and captures), and re with that \A removed.
func anchorStart(re *node, depth int) (*node, bool) {
	return anchorAt(re, depth, opBeginText, func(n *node) int { return 0 })
}

// anchorEnd is anchorStart for a trailing \z.
func anchorEnd(re *node, depth int) (*node, bool) {
	return anchorAt(re, depth, opEndText, func(n *node) int { return len(n.sub) - 1 })
}

func anchorAt(re *node, depth int, anchor op, pick func(*node) int) (*node, bool) {
	if depth >= 4 {
		return re, false
	}
	switch re.op {
	case opConcat:
		if len(re.sub) == 0 {
			return re, false
		}
		i := pick(re)
		sub, ok := anchorAt(re.sub[i], depth+1, anchor, pick)
		if !ok {
			return re, false
		}
		subs := slices.Clone(re.sub)
		subs[i] = sub
		return concat(subs, re.flags), true
	case opCapture:
		sub, ok := anchorAt(re.sub[0], depth+1, anchor, pick)
		if !ok {
			return re, false
		}
		return &node{op: opCapture, flags: re.flags, cap: re.cap, name: re.name, sub: []*node{sub}}, true
	case anchor:
		return &node{op: opEmptyMatch, flags: re.flags}, true
	}
	return re, false
}
