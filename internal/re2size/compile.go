package re2size

import (
	"regexp/syntax"
	"unicode"
)

// instOp is an RE2 instruction's opcode.
type instOp uint8

const (
	instAlt instOp = iota
	instAltMatch
	instByteRange
	instCapture
	instEmptyWidth
	instMatch
	instNop
	instFail
)

// inst is an RE2 instruction. While compiling, an unfilled out or out1
// holds the next entry of a patch list, as in RE2.
type inst struct {
	op     instOp
	out    uint32
	out1   uint32
	lo, hi uint8
	fold   bool
}

// patchList is a list of outs to fill: head>>1 is an instruction, head&1
// says which of its outs; 0 is the empty list (instruction 0 is Fail).
type patchList struct{ head, tail uint32 }

// frag is a compiled piece: where it begins, the outs it leaves to fill,
// and whether it can match the empty string. begin 0 matches nothing.
type frag struct {
	begin    uint32
	end      patchList
	nullable bool
}

// compiler builds RE2's program for a tree, instruction for instruction,
// in the order RE2 allocates them: the order decides how the program is
// later flattened.
type compiler struct {
	inst      []inst
	failed    bool
	runeCache map[runeKey]uint32
	runeRange frag
}

type runeKey struct {
	lo, hi uint8
	fold   bool
	next   uint32
}

// program is a compiled program before flattening.
type program struct {
	inst                   []inst
	start, startUnanchored uint32
}

func newCompiler() *compiler {
	return &compiler{inst: []inst{{op: instFail}}}
}

func (c *compiler) alloc(n int) (uint32, bool) {
	if c.failed || len(c.inst)+n > maxInstructions {
		c.failed = true
		return 0, false
	}
	id := uint32(len(c.inst))
	for range n {
		c.inst = append(c.inst, inst{})
	}
	return id, true
}

func (c *compiler) patch(l patchList, p uint32) {
	for l.head != 0 {
		ip := &c.inst[l.head>>1]
		if l.head&1 != 0 {
			l.head, ip.out1 = ip.out1, p
		} else {
			l.head, ip.out = ip.out, p
		}
	}
}

func (c *compiler) appendList(l1, l2 patchList) patchList {
	if l1.head == 0 {
		return l2
	}
	if l2.head == 0 {
		return l1
	}
	ip := &c.inst[l1.tail>>1]
	if l1.tail&1 != 0 {
		ip.out1 = l2.head
	} else {
		ip.out = l2.head
	}
	return patchList{l1.head, l2.tail}
}

func single(p uint32) patchList { return patchList{p, p} }

func (c *compiler) cat(a, b frag) frag {
	if a.begin == 0 || b.begin == 0 {
		return frag{}
	}
	// A no-op with its out unfilled is left out (and left unreachable).
	if begin := c.inst[a.begin]; begin.op == instNop && a.end.head == a.begin<<1 && begin.out == 0 {
		c.patch(a.end, b.begin)
		return b
	}
	c.patch(a.end, b.begin)
	return frag{a.begin, b.end, a.nullable && b.nullable}
}

func (c *compiler) alt(a, b frag) frag {
	if a.begin == 0 {
		return b
	}
	if b.begin == 0 {
		return a
	}
	id, ok := c.alloc(1)
	if !ok {
		return frag{}
	}
	c.inst[id] = inst{op: instAlt, out: a.begin, out1: b.begin}
	return frag{id, c.appendList(a.end, b.end), a.nullable || b.nullable}
}

// loop is the Alt of a repetition: the repeated piece first when
// greedy, the way on first when not. It returns the Alt and its unfilled
// out.
func (c *compiler) loop(a frag, nongreedy bool) (uint32, patchList, bool) {
	id, ok := c.alloc(1)
	if !ok {
		return 0, patchList{}, false
	}
	if nongreedy {
		c.inst[id] = inst{op: instAlt, out1: a.begin}
		return id, single(id << 1), true
	}
	c.inst[id] = inst{op: instAlt, out: a.begin}
	return id, single(id<<1 | 1), true
}

func (c *compiler) plus(a frag, nongreedy bool) frag {
	id, pl, ok := c.loop(a, nongreedy)
	if !ok {
		return frag{}
	}
	c.patch(a.end, id)
	return frag{a.begin, pl, a.nullable}
}

func (c *compiler) star(a frag, nongreedy bool) frag {
	// RE2 writes a nullable a* as (a+)?, for the order of matches.
	if a.nullable {
		return c.quest(c.plus(a, nongreedy), nongreedy)
	}
	id, pl, ok := c.loop(a, nongreedy)
	if !ok {
		return frag{}
	}
	c.patch(a.end, id)
	return frag{id, pl, true}
}

func (c *compiler) quest(a frag, nongreedy bool) frag {
	if a.begin == 0 {
		return c.nop()
	}
	id, pl, ok := c.loop(a, nongreedy)
	if !ok {
		return frag{}
	}
	return frag{id, c.appendList(pl, a.end), true}
}

func (c *compiler) byteRange(lo, hi uint8, fold bool) frag {
	return c.open(inst{op: instByteRange, lo: lo, hi: hi, fold: fold}, false)
}

func (c *compiler) nop() frag {
	return c.open(inst{op: instNop}, true)
}

func (c *compiler) match() frag {
	id, ok := c.alloc(1)
	if !ok {
		return frag{}
	}
	c.inst[id] = inst{op: instMatch}
	return frag{begin: id}
}

func (c *compiler) emptyWidth() frag {
	return c.open(inst{op: instEmptyWidth}, true)
}

// open is a fragment of the one instruction in, whose out is left to be
// patched.
func (c *compiler) open(in inst, nullable bool) frag {
	id, ok := c.alloc(1)
	if !ok {
		return frag{}
	}
	c.inst[id] = in
	return frag{id, single(id << 1), nullable}
}

func (c *compiler) capture(a frag) frag {
	if a.begin == 0 {
		return frag{}
	}
	id, ok := c.alloc(2)
	if !ok {
		return frag{}
	}
	c.inst[id] = inst{op: instCapture, out: a.begin}
	c.inst[id+1] = inst{op: instCapture}
	c.patch(a.end, id+1)
	return frag{id, single((id + 1) << 1), a.nullable}
}

// The rune range compiler: a class becomes a trie of UTF-8 byte ranges
// whose common suffixes (continuation bytes) are shared.

func (c *compiler) beginRange() {
	c.runeCache = map[runeKey]uint32{}
	c.runeRange = frag{}
}

func (c *compiler) uncachedSuffix(lo, hi uint8, fold bool, next uint32) uint32 {
	f := c.byteRange(lo, hi, fold)
	if next != 0 {
		c.patch(f.end, next)
	} else {
		c.runeRange.end = c.appendList(c.runeRange.end, f.end)
	}
	return f.begin
}

func (c *compiler) cachedSuffix(lo, hi uint8, fold bool, next uint32) uint32 {
	key := runeKey{lo, hi, fold, next}
	if id, ok := c.runeCache[key]; ok {
		return id
	}
	id := c.uncachedSuffix(lo, hi, fold, next)
	c.runeCache[key] = id
	return id
}

func (c *compiler) isCachedSuffix(id uint32) bool {
	ip := c.inst[id]
	_, ok := c.runeCache[runeKey{ip.lo, ip.hi, ip.fold, ip.out}]
	return ok
}

func (c *compiler) addSuffix(id uint32) {
	if c.failed {
		return
	}
	if c.runeRange.begin == 0 {
		c.runeRange.begin = id
		return
	}
	c.runeRange.begin = c.addSuffixRecursive(c.runeRange.begin, id)
}

func (c *compiler) addSuffixRecursive(root, id uint32) uint32 {
	f := c.findByteRange(root, id)
	if f.begin == 0 {
		alt, ok := c.alloc(1)
		if !ok {
			return 0
		}
		c.inst[alt] = inst{op: instAlt, out: root, out1: id}
		return alt
	}
	var br uint32
	switch {
	case f.end.head == 0:
		br = root
	case f.end.head&1 != 0:
		br = c.inst[f.begin].out1
	default:
		br = c.inst[f.begin].out
	}
	if c.isCachedSuffix(br) {
		// A cached suffix is shared: clone the head before changing it.
		clone, ok := c.alloc(1)
		if !ok {
			return 0
		}
		b := c.inst[br]
		c.inst[clone] = inst{op: instByteRange, lo: b.lo, hi: b.hi, fold: b.fold, out: b.out}
		br = clone
		switch {
		case f.end.head == 0:
			root = br
		case f.end.head&1 != 0:
			c.inst[f.begin].out1 = br
		default:
			c.inst[f.begin].out = br
		}
	}
	out := c.inst[id].out
	if !c.isCachedSuffix(id) {
		// The new head is the last instruction allocated: give it back.
		c.inst = c.inst[:id]
	}
	out = c.addSuffixRecursive(c.inst[br].out, out)
	if out == 0 {
		return 0
	}
	c.inst[br].out = out
	return root
}

func (c *compiler) byteRangeEqual(a, b uint32) bool {
	x, y := c.inst[a], c.inst[b]
	return x.lo == y.lo && x.hi == y.hi && x.fold == y.fold
}

// findByteRange finds id's byte range at the trie's root: the root
// itself, or the newest branch of its Alt (a class's ranges come sorted,
// so no older branch can match).
func (c *compiler) findByteRange(root, id uint32) frag {
	if c.inst[root].op == instByteRange {
		if c.byteRangeEqual(root, id) {
			return frag{begin: root}
		}
		return frag{}
	}
	if c.inst[root].op == instAlt && c.byteRangeEqual(c.inst[root].out1, id) {
		return frag{begin: root, end: single(root<<1 | 1)}
	}
	return frag{}
}

// maxRune is the largest rune UTF-8 encodes in n bytes.
func maxRune(n int) rune {
	if n == 1 {
		return 1<<7 - 1
	}
	return 1<<(8-(n+1)+6*(n-1)) - 1
}

func (c *compiler) addRuneRange(lo, hi rune, fold bool) {
	if lo > hi {
		return
	}
	if lo == 0x80 && hi == unicode.MaxRune {
		c.add80to10FFFF()
		return
	}
	// Split into ranges whose runes have one length in UTF-8.
	for i := 1; i < utfMax; i++ {
		if m := maxRune(i); lo <= m && m < hi {
			c.addRuneRange(lo, m, fold)
			c.addRuneRange(m+1, hi, fold)
			return
		}
	}
	if hi < 0x80 {
		c.addSuffix(c.uncachedSuffix(uint8(lo), uint8(hi), fold, 0))
		return
	}
	// Split into ranges that agree on their leading bytes.
	for i := 1; i < utfMax; i++ {
		m := rune(1)<<(6*i) - 1
		if lo&^m != hi&^m {
			if lo&m != 0 {
				c.addRuneRange(lo, lo|m, fold)
				c.addRuneRange((lo|m)+1, hi, fold)
				return
			}
			if hi&m != m {
				c.addRuneRange(lo, hi&^m-1, fold)
				c.addRuneRange(hi&^m, hi, fold)
				return
			}
		}
	}
	ulo, uhi := encodeRune(lo), encodeRune(hi)
	var id uint32
	n := len(ulo)
	for i := n - 1; i >= 0; i-- {
		// The last continuation byte and inner byte ranges are cached;
		// the leading byte and inner single bytes are not.
		if i == n-1 || (ulo[i] < uhi[i] && i != 0) {
			id = c.cachedSuffix(ulo[i], uhi[i], false, id)
		} else {
			id = c.uncachedSuffix(ulo[i], uhi[i], false, id)
		}
	}
	c.addSuffix(id)
}

// add80to10FFFF is every rune from 0x80 up, in RE2's compact form.
func (c *compiler) add80to10FFFF() {
	cont1 := c.uncachedSuffix(0x80, 0xBF, false, 0)
	c.addSuffix(c.uncachedSuffix(0xC2, 0xDF, false, cont1))
	cont2 := c.uncachedSuffix(0x80, 0xBF, false, cont1)
	c.addSuffix(c.uncachedSuffix(0xE0, 0xEF, false, cont2))
	cont3 := c.uncachedSuffix(0x80, 0xBF, false, cont2)
	c.addSuffix(c.uncachedSuffix(0xF0, 0xF4, false, cont3))
}

const utfMax = 4

// encodeRune is r in UTF-8 as RE2 writes it: surrogates are encoded like
// any other rune.
func encodeRune(r rune) []uint8 {
	switch {
	case r < 0x80:
		return []uint8{uint8(r)}
	case r < 0x800:
		return []uint8{0xC0 | uint8(r>>6), 0x80 | uint8(r&0x3F)}
	case r < 0x10000:
		return []uint8{0xE0 | uint8(r>>12), 0x80 | uint8(r>>6&0x3F), 0x80 | uint8(r&0x3F)}
	}
	return []uint8{0xF0 | uint8(r>>18), 0x80 | uint8(r>>12&0x3F), 0x80 | uint8(r>>6&0x3F), 0x80 | uint8(r&0x3F)}
}

func (c *compiler) literal(r rune, fold bool) frag {
	if r < 0x80 {
		return c.byteRange(uint8(r), uint8(r), fold)
	}
	var parts []frag
	for _, b := range encodeRune(r) {
		parts = append(parts, c.byteRange(b, b, false))
	}
	return join(parts, c.cat)
}

// join folds frags left to right with cat or alt, as RE2's compiler
// joins a node's children once each is compiled. No frags match
// nothing.
func join(frags []frag, with func(a, b frag) frag) frag {
	if len(frags) == 0 {
		return frag{}
	}
	f := frags[0]
	for _, g := range frags[1:] {
		f = with(f, g)
	}
	return f
}

// foldsASCII reports whether a class holds each ASCII letter in both
// cases or in neither.
func foldsASCII(ranges []rune) bool {
	in := func(r rune) bool {
		for i := 0; i < len(ranges); i += 2 {
			if ranges[i] <= r && r <= ranges[i+1] {
				return true
			}
		}
		return false
	}
	for r := 'A'; r <= 'Z'; r++ {
		if in(r) != in(r+'a'-'A') {
			return false
		}
	}
	return true
}

func (c *compiler) class(ranges []rune) frag {
	// A class that folds ASCII leaves out its ranges within A-Z and
	// matches its other ranges either way.
	foldascii := foldsASCII(ranges)
	c.beginRange()
	for i := 0; i < len(ranges); i += 2 {
		lo, hi := ranges[i], ranges[i+1]
		if foldascii && 'A' <= lo && hi <= 'Z' {
			continue
		}
		fold := foldascii
		if (lo <= 'A' && 'z' <= hi) || hi < 'A' || 'z' < lo || ('Z' < lo && hi < 'a') {
			fold = false
		}
		c.addRuneRange(lo, hi, fold)
	}
	return c.runeRange
}

// walk compiles re, children first, as RE2's compiler walks it.
func (c *compiler) walk(re *node) frag {
	if c.failed {
		return frag{}
	}
	children := make([]frag, len(re.sub))
	for i, s := range re.sub {
		children[i] = c.walk(s)
	}
	if c.failed {
		return frag{}
	}
	nongreedy := re.flags&syntax.NonGreedy != 0
	switch re.op {
	case opNoMatch:
		return frag{}
	case opEmptyMatch:
		return c.nop()
	case opConcat:
		return join(children, c.cat)
	case opAlternate:
		return join(children, c.alt)
	case opStar:
		return c.star(children[0], nongreedy)
	case opPlus:
		return c.plus(children[0], nongreedy)
	case opQuest:
		return c.quest(children[0], nongreedy)
	case opLiteral:
		if len(re.runes) == 0 {
			return c.nop()
		}
		fold := re.flags&syntax.FoldCase != 0
		runes := make([]frag, len(re.runes))
		for i, r := range re.runes {
			runes[i] = c.literal(r, fold)
		}
		return join(runes, c.cat)
	case opAnyChar:
		c.beginRange()
		c.addRuneRange(0, unicode.MaxRune, false)
		return c.runeRange
	case opCharClass:
		if len(re.runes) == 0 {
			c.failed = true
			return frag{}
		}
		return c.class(re.runes)
	case opCapture:
		return c.capture(children[0])
	case opBeginLine, opEndLine, opBeginText, opEndText, opWordBoundary, opNoWordBoundary:
		return c.emptyWidth()
	}
	// opRepeat is gone after simplifying.
	c.failed = true
	return frag{}
}

// compile is RE2's Compiler::Compile for a forward program.
func (c *compiler) compile(re *node) (*program, error) {
	sre := simplify(re)
	sre, anchoredStart := anchorStart(sre, 0)
	sre, _ = anchorEnd(sre, 0)
	all := c.walk(sre)
	if c.failed {
		return nil, ErrTooLarge
	}
	all = c.cat(all, c.match())
	p := &program{start: all.begin}
	if !anchoredStart {
		// The unanchored program starts with a non-greedy .* loop.
		all = c.cat(c.star(c.byteRange(0x00, 0xFF, false), true), all)
	}
	p.startUnanchored = all.begin
	if c.failed {
		return nil, ErrTooLarge
	}
	if p.start == 0 && p.startUnanchored == 0 {
		// Nothing can match: only the Fail instruction is kept.
		c.inst = c.inst[:1]
	}
	p.inst = c.inst
	return p, nil
}
