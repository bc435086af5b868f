// Package re2size tells how large a program RE2 compiles a regular
// expression to: the number RE2::ProgramSize() returns, which Envoy holds
// every regex in its configuration to (max_program_size, or the runtime's
// re2.max_program_size.error_level). Envoy refuses a whole route table
// over one regex above the limit, so the translator checks each regex
// before it is written.
//
// Go's regexp/syntax parses RE2's syntax, but its compiler works on runes
// and RE2's on UTF-8 bytes: `.` is 3 instructions to Go and 12 to RE2,
// `\p{L}` 4 and 1,198. So the count is RE2's own, worked out step by step
// as RE2 does it (read from RE2's parse.cc, simplify.cc, compile.cc and
// prog.cc for their contract): the parse tree is brought to the shape
// RE2's parser gives, simplified as RE2 simplifies it, compiled to RE2's
// instructions, and flattened as RE2 flattens them. The tests hold the
// count to RE2's on a corpus measured with RE2 itself.
package re2size

import (
	"errors"
	"regexp/syntax"
	"sync"
)

// maxInstructions is about the largest program RE2 compiles with its
// default memory budget (two thirds of 8 MiB, at 8 bytes an instruction);
// beyond it RE2 refuses the pattern as too large.
const maxInstructions = 699_000

// ErrTooLarge is returned for a pattern RE2 would refuse to compile.
var ErrTooLarge = errors.New("pattern too large: RE2 would refuse to compile it")

// ProgramSize is the size of the program RE2 compiles expr to with its
// default options (UTF-8, Perl syntax), as Envoy compiles it. A pattern
// that does not parse returns the parse error.
func ProgramSize(expr string) (int, error) {
	if len(expr) > rememberMaxLen {
		return programSizeOf(expr)
	}
	remembered.Lock()
	r, ok := remembered.sizes[expr]
	remembered.Unlock()
	if ok {
		return r.size, r.err
	}
	size, err := programSizeOf(expr)
	remembered.Lock()
	if len(remembered.sizes) >= rememberLimit {
		clear(remembered.sizes)
	}
	remembered.sizes[expr] = sizeResult{size, err}
	remembered.Unlock()
	return size, err
}

// remembered holds the sizes worked out: the same regexes come back with
// every reconfiguration, and a size costs microseconds (a Unicode class,
// a millisecond). It is emptied when it holds rememberLimit patterns.
var remembered = struct {
	sync.Mutex
	sizes map[string]sizeResult
}{sizes: map[string]sizeResult{}}

const (
	rememberLimit  = 4096
	rememberMaxLen = 4096
)

type sizeResult struct {
	size int
	err  error
}

// programSizeOf is ProgramSize, worked out.
func programSizeOf(expr string) (int, error) {
	re, err := parseForSize(expr)
	if err != nil {
		return 0, err
	}
	return programSize(re)
}

// parseForSize is expr's tree in the shape RE2's parser gives it.
func parseForSize(expr string) (*node, error) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil, err
	}
	if marked, err := syntax.Parse(withMarkers(expr), syntax.Perl); err == nil {
		re = marked
	}
	return fromSyntax(re), nil
}

func programSize(re *node) (int, error) {
	// RE2 matches a required literal prefix (^abc...) by itself and
	// compiles only what follows it.
	if suffix, ok := requiredPrefix(re); ok {
		re = suffix
	}
	c := newCompiler()
	prog, err := c.compile(re)
	if err != nil {
		return 0, err
	}
	prog.optimize()
	return prog.flatten(), nil
}
