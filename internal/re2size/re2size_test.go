package re2size

import "testing"

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
