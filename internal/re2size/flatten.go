package re2size

import "slices"

// orderedSet is a set of instructions that remembers the order of
// insertion, as RE2's SparseSet and SparseArray do (RE2's passes walk
// them in that order). Like them it is sized to the program, so clearing
// costs what was inserted.
type orderedSet struct {
	index []int32 // position in items, or -1
	items []uint32
}

func newOrderedSet(size int) *orderedSet {
	s := &orderedSet{index: make([]int32, size)}
	for i := range s.index {
		s.index[i] = -1
	}
	return s
}

func (s *orderedSet) has(id uint32) bool { return s.index[id] >= 0 }

func (s *orderedSet) add(id uint32) {
	if !s.has(id) {
		s.index[id] = int32(len(s.items))
		s.items = append(s.items, id)
	}
}

func (s *orderedSet) clear() {
	for _, id := range s.items {
		s.index[id] = -1
	}
	s.items = s.items[:0]
}

// optimize is RE2's peephole pass: no-ops are skipped over, and the
// Alt of a .* loop that ends in a match becomes an AltMatch (which
// flattening writes as an instruction of its own).
func (p *program) optimize() {
	q := newOrderedSet(len(p.inst))
	enqueue := func(id uint32) {
		if id != 0 {
			q.add(id)
		}
	}
	skipNops := func(j uint32) uint32 {
		for j != 0 && p.inst[j].op == instNop {
			j = p.inst[j].out
		}
		return j
	}
	enqueue(p.start)
	for i := 0; i < len(q.items); i++ {
		ip := &p.inst[q.items[i]]
		ip.out = skipNops(ip.out)
		enqueue(ip.out)
		if ip.op == instAlt {
			ip.out1 = skipNops(ip.out1)
			enqueue(ip.out1)
		}
	}

	q.clear()
	enqueue(p.start)
	for i := 0; i < len(q.items); i++ {
		id := q.items[i]
		ip := &p.inst[id]
		enqueue(ip.out)
		if ip.op == instAlt {
			enqueue(ip.out1)
		}
		if ip.op != instAlt {
			continue
		}
		j, k := p.inst[ip.out], p.inst[ip.out1]
		anyByteBack := func(x inst) bool {
			return x.op == instByteRange && x.out == id && x.lo == 0x00 && x.hi == 0xFF
		}
		if anyByteBack(j) && p.isMatch(ip.out1) || p.isMatch(ip.out) && anyByteBack(k) {
			ip.op = instAltMatch
		}
	}
}

// isMatch reports whether id is a match, perhaps after captures.
func (p *program) isMatch(id uint32) bool {
	for {
		switch ip := p.inst[id]; ip.op {
		case instCapture, instNop:
			id = ip.out
		case instMatch:
			return true
		default:
			return false
		}
	}
}

// flatten is RE2's Prog::Flatten, counting what it emits: the program is
// cut into lists, one per root (the start, and each instruction a
// byte, capture or empty-width instruction leads to, and some Alts), each
// list holding the non-Alt instructions its root reaches without
// crossing another root, plus a Nop for each root it reaches and an extra
// instruction for each AltMatch. The count is RE2's ProgramSize.
func (p *program) flatten() int {
	roots := newOrderedSet(len(p.inst))
	roots.add(0)
	roots.add(p.startUnanchored)
	roots.add(p.start)

	// Successor roots, and each Alt's predecessors.
	preds := make([][]uint32, len(p.inst))
	reachable := newOrderedSet(len(p.inst))
	var stack []uint32
	stack = append(stack, p.startUnanchored)
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for !reachable.has(id) {
			reachable.add(id)
			ip := p.inst[id]
			switch ip.op {
			case instAlt, instAltMatch:
				preds[ip.out] = append(preds[ip.out], id)
				preds[ip.out1] = append(preds[ip.out1], id)
				stack = append(stack, ip.out1)
				id = ip.out
				continue
			case instByteRange, instCapture, instEmptyWidth:
				roots.add(ip.out)
				id = ip.out
				continue
			case instNop:
				id = ip.out
				continue
			}
			break
		}
	}

	// Dominator roots: an instruction a root reaches whose predecessor
	// the root does not reach is a root too. Roots are visited from the
	// last instruction to the first.
	sorted := slices.Clone(roots.items)
	slices.Sort(sorted)
	for i := len(sorted) - 1; i > 0; i-- {
		root := sorted[i]
		if root == p.startUnanchored || root == p.start {
			continue
		}
		p.flood(root, roots, reachable, &stack)
		for _, id := range reachable.items {
			for _, pred := range preds[id] {
				if !reachable.has(pred) {
					roots.add(id)
				}
			}
		}
	}

	size := 0
	for _, root := range roots.items {
		size += p.flood(root, roots, reachable, &stack)
	}
	return size
}

// flood visits what root reaches without crossing another root or
// passing a byte, capture or empty-width instruction, leaving it in
// reachable. It returns how many instructions the root's list has.
func (p *program) flood(root uint32, roots, reachable *orderedSet, stack *[]uint32) int {
	n := 0
	reachable.clear()
	*stack = append((*stack)[:0], root)
	for len(*stack) > 0 {
		id := (*stack)[len(*stack)-1]
		*stack = (*stack)[:len(*stack)-1]
		for !reachable.has(id) {
			reachable.add(id)
			if id != root && roots.has(id) {
				n++ // a Nop leading to the other root's list
				break
			}
			ip := p.inst[id]
			switch ip.op {
			case instAltMatch, instAlt:
				if ip.op == instAltMatch {
					n++
				}
				*stack = append(*stack, ip.out1)
				id = ip.out
				continue
			case instNop:
				id = ip.out
				continue
			}
			n++ // a byte range, capture, empty width, match or fail
			break
		}
	}
	return n
}
