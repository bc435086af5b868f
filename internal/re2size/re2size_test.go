package re2size

import (
	"regexp/syntax"
	"strconv"
	"sync"
	"testing"
)

// TestProgramSizeIsRE2s holds the count to what RE2 itself reports
// (RE2::ProgramSize, measured with libre2) for patterns of each kind.
func TestProgramSizeIsRE2s(t *testing.T) {
	for _, c := range []struct {
		expr string
		want int
	}{
		{`/api/v1`, 11},
		{`^/api/(v1|v2|v3)/users/[0-9a-f]{32}$`, 79},
		{`.*`, 12},
		{`a`, 5},
		{``, 4},
		{`[a-z]+`, 6},
		{`(?i)hello`, 9},
		{`é`, 6},
		{`\p{L}+`, 1198},
		{`.`, 12},
		{`[^a]`, 12},
		{`\d{3}`, 7},
		{`a{100}`, 104},
		{`^/api/v1`, 4},
		{`^/api/v1/.*`, 12},
		{`(?i)k`, 8},
		{`\w+@\w+\.com`, 17},
		{`a*a`, 6},
		{`x{2,5}`, 12},
		{`(a|b)*c`, 8},
	} {
		got, err := ProgramSize(c.expr)
		if err != nil {
			t.Errorf("ProgramSize(%q): %v", c.expr, err)
			continue
		}
		if got != c.want {
			t.Errorf("ProgramSize(%q) = %d, RE2 says %d", c.expr, got, c.want)
		}
	}
}

// FuzzProgramSize: no pattern makes ProgramSize panic, and a pattern Go's
// parser accepts has a program (at least the Fail instruction) or is too
// large for RE2.
func FuzzProgramSize(f *testing.F) {
	for _, p := range realPatterns {
		f.Add(p)
	}
	f.Add(`(?i)(?:|a||b)\Q|(\E[]|(]`)
	f.Fuzz(func(t *testing.T, expr string) {
		size, err := ProgramSize(expr)
		if _, perr := syntax.Parse(expr, syntax.Perl); perr != nil {
			if err == nil {
				t.Fatalf("ProgramSize(%q) = %d; Go's parser refuses it: %v", expr, size, perr)
			}
			return
		}
		if err != nil && err != ErrTooLarge {
			t.Fatalf("ProgramSize(%q): %v", expr, err)
		}
		if err == nil && size < 1 {
			t.Fatalf("ProgramSize(%q) = %d", expr, size)
		}
	})
}

func BenchmarkProgramSize(b *testing.B) {
	for _, expr := range []string{`^/api/v[0-9]+/users/[^/]+$`, `^/api/(v1|v2|v3)/users/[0-9a-f]{32}$`, `\p{L}+`} {
		b.Run(expr, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := programSizeOf(expr); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// ProgramSize remembers what it worked out; what it remembers is what
// working it out again gives, errors included, from any goroutine.
func TestProgramSizeRemembers(t *testing.T) {
	exprs := []string{`^/a/[^/]+$`, `\p{Greek}+`, `(`, `a{2,3}`}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 3 {
				for _, expr := range exprs {
					size, err := ProgramSize(expr)
					want, wantErr := programSizeOf(expr)
					if size != want || (err == nil) != (wantErr == nil) {
						t.Errorf("ProgramSize(%q) = %d, %v; worked out again: %d, %v", expr, size, err, want, wantErr)
					}
				}
			}
		})
	}
	wg.Wait()
	remembered.Lock()
	defer remembered.Unlock()
	if _, ok := remembered.sizes[exprs[0]]; !ok {
		t.Error("nothing was remembered")
	}
	if len(remembered.sizes) > rememberLimit {
		t.Errorf("%d sizes remembered, over the limit of %d", len(remembered.sizes), rememberLimit)
	}
}

func TestProgramSizeForgetsWhenFull(t *testing.T) {
	for i := range rememberLimit + 10 {
		if _, err := ProgramSize("x" + strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	remembered.Lock()
	defer remembered.Unlock()
	if n := len(remembered.sizes); n > rememberLimit || n == 0 {
		t.Errorf("%d sizes remembered; the limit is %d", n, rememberLimit)
	}
}
