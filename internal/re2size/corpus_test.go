package re2size

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "measure the corpus again with RE2 (RE2_ORACLE, see hack/re2size)")

const corpusFile = "testdata/programsize.txt"

// TestProgramSizeCorpus holds ProgramSize to RE2's own answer for every
// pattern of the corpus: the regexes users write for routes, hosts and
// headers, and a few thousand generated ones mixing every construct
// (classes, Unicode, case folding, captures, alternations, counted and
// non-greedy repetition, flags, anchors). A pattern RE2 refuses must be
// refused too.
func TestProgramSizeCorpus(t *testing.T) {
	if *update {
		measureCorpus(t)
	}
	data, err := os.ReadFile(corpusFile)
	if err != nil {
		t.Fatal(err)
	}
	checked, refused := 0, 0
	for i, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		want, expr, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("%s:%d: no tab", corpusFile, i+1)
		}
		got, err := programSizeOf(expr)
		switch {
		case want == "error":
			refused++
			if err == nil {
				t.Errorf("%s:%d: ProgramSize(%q) = %d; RE2 refuses it", corpusFile, i+1, expr, got)
			}
		case err != nil:
			t.Errorf("%s:%d: ProgramSize(%q): %v; RE2 says %s", corpusFile, i+1, expr, err, want)
		case strconv.Itoa(got) != want:
			t.Errorf("%s:%d: ProgramSize(%q) = %d; RE2 says %s", corpusFile, i+1, expr, got, want)
		}
		checked++
	}
	if checked < 1000 || refused == 0 || refused == checked {
		t.Fatalf("corpus too small or one-sided: %d patterns, %d refused", checked, refused)
	}
}

// measureCorpus writes the corpus with RE2's answers.
func measureCorpus(t *testing.T) {
	oracle := os.Getenv("RE2_ORACLE")
	if oracle == "" {
		t.Fatal("-update needs RE2_ORACLE: the binary hack/re2size/oracle.cc builds")
	}
	var patterns []string
	for _, p := range append(realPatterns, generatedPatterns(6000)...) {
		// Long generated patterns add bytes to the corpus, not cases.
		if (len(p) <= 100 || slices.Contains(realPatterns, p)) && !emptyWidthRepeat(p) {
			patterns = append(patterns, p)
		}
	}
	cmd := exec.Command(oracle)
	cmd.Stdin = strings.NewReader(strings.Join(patterns, "\n") + "\n")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v", oracle, err)
	}
	answers := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(answers) != len(patterns) {
		t.Fatalf("%s answered %d of %d patterns", oracle, len(answers), len(patterns))
	}
	var b bytes.Buffer
	for i, p := range patterns {
		fmt.Fprintf(&b, "%s\t%s\n", answers[i], p)
	}
	if err := os.MkdirAll(filepath.Dir(corpusFile), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(corpusFile, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// emptyWidthRepeat reports whether p repeats an empty-width assertion a
// counted number of times, which RE2 has compiled differently since
// 2023-07 (see hack/re2size/README.md): such patterns stay out of the
// corpus the older reference measures.
func emptyWidthRepeat(p string) bool {
	re, err := parseForSize(p)
	if err != nil {
		return false
	}
	var walk func(n *node) bool
	walk = func(n *node) bool {
		if n.op == opRepeat && emptyWidthOnly(n.sub[0]) {
			return true
		}
		for _, s := range n.sub {
			if walk(s) {
				return true
			}
		}
		return false
	}
	return walk(re)
}

// realPatterns are regexes of the kinds Mappings, Hosts and headers use.
var realPatterns = []string{
	`^/api/v[0-9]+/users/[^/]+$`,
	`^/api/v1/.*`,
	`/api/v1/.*`,
	`^/(en|fr|de|es|it)/.*$`,
	`.*\.(jpg|jpeg|png|gif|webp)$`,
	`^(www\.)?example\.com$`,
	`^[a-z0-9-]+\.example\.com$`,
	`^.*\.example\.(com|org|net)(:[0-9]+)?$`,
	`^Bearer [A-Za-z0-9._~+/-]+=*$`,
	`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`,
	`^/api/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+$`,
	`^/api/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+$`,
	`^/users/(?P<id>[0-9]+)/orders/(?P<order>[0-9]+)$`,
	`^/(?i)static/.*\.(css|js)$`,
	`(?i)^/API/V1/`,
	`^/files/\p{L}+$`,
	`\p{L}+`,
	`^/api/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+$`,
	`^/api/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+$`,
	`^/search\?q=.*`,
	`^GET|POST|PUT$`,
	`^(GET|HEAD)$`,
	`^/health(z|check)?$`,
	`^/v[12]/(users|groups|roles)/[a-z0-9]{1,32}(/members)?$`,
	`^/a{1,100}$`,
	`\d{3}-\d{4}`,
	`^([a-z]+)\.([a-z]+)\.svc\.cluster\.local$`,
	`^/api/(v1|v2|v3)/users/[0-9a-f]{32}$`,
	`^https?://[^/]+/`,
	`^/foo/[[:alpha:]]+/[[:digit:]]{2,4}$`,
	`^\s*$`,
	`[\x{4e00}-\x{9fff}]+`,
	`^/ünïcödé/.*`,
	`^/$`,
	`^$`,
	`.*`,
	`^/(?:a|b|c|d|e|f|g|h|i|j|k)/`,
	`^/(?:abc|abd|aef|xyz)$`,
	`^/x(?:)y$`,
	`^/(a|)$`,
	`^/(|a)$`,
	`^/(?:a||b)$`,
	`^[^/]*/[^/]*$|^/x$`,
	`^/a$|^/b$|^/c$`,
	`\bword\b`,
	`(?s)^/.*$`,
	`(?m)^/line$`,
	`(?U)^/a+b+$`,
	`^/a+?b*?c??$`,
	`^/(?i:k)elvin$`,
	`^/(?i)straße$`,
	`^/\Q.*+?\E$`,
	`a**`,
	`(?P<name>a`,
	`[z-a]`,
	`\8`,
	`a{1001}`,
}

// generatedPatterns are count random patterns (the same ones every
// time) built from every construct RE2's parser knows.
func generatedPatterns(count int) []string {
	g := &patternGen{rand.New(rand.NewSource(1))}
	out := make([]string, count)
	for i := range out {
		s := g.alternation(0)
		if g.Intn(3) == 0 {
			s = "^" + s
		}
		if g.Intn(3) == 0 {
			s += "$"
		}
		out[i] = s
	}
	return out
}

type patternGen struct{ *rand.Rand }

var (
	genLiterals = []string{"a", "b", "k", "s", "/", "-", "_", "1", "é", "ß", "Δ", "日", `\.`, `\/`, "x", "K", "ſ", `\x{10348}`, "A", "z"}
	genClasses  = []string{"[a-z]", "[^/]", "[0-9a-f]", "[A-Za-z0-9_]", "[^a]", "[a-zA-Z]", `[\x{80}-\x{10FFFF}]`, "[α-ω]", `[^\n]`, `[\s\S]`, "[a-cx-z]", "[^0-9]", "[Kk]", "[Δδ]", "[aA]", "[é-ö]", `[\x{100}-\x{2000}]`, `[^\x00-\x{10FFFF}]`, "[-+.]", `[\x{800}-\x{FFFF}]`, `[\x{D7FF}-\x{E000}]`}
	genNamed    = []string{`\d`, `\w`, `\s`, `\D`, `\W`, `\S`, `\pN`, `\p{Greek}`, `\PL`, "[[:alpha:]]", "[[:^digit:]]", `\p{Lu}`}
	genAnchors  = []string{"^", "$", `\b`, `\B`, `\A`, `\z`}
)

func (g *patternGen) pick(list []string) string { return list[g.Intn(len(list))] }

func (g *patternGen) atom(depth int) string {
	group := func(open string) string {
		if depth > 3 {
			return "a"
		}
		return open + g.alternation(depth+1) + ")"
	}
	switch n := g.Intn(22); {
	case n < 4:
		return g.pick(genLiterals)
	case n == 4:
		var b strings.Builder
		for range 1 + g.Intn(6) {
			b.WriteByte("abcdefghijklmnopqrstuvwxyz/0123456789"[g.Intn(37)])
		}
		return b.String()
	case n == 5:
		return g.pick(genClasses)
	case n == 6:
		return g.pick(genNamed)
	case n < 9:
		return "."
	case n == 9:
		return g.pick(genAnchors)
	case n < 13:
		return group("(")
	case n < 15:
		return group("(?:")
	case n == 15:
		return group("(?P<n" + strconv.Itoa(g.Intn(1000)) + ">")
	case n == 16:
		return group("(?i:")
	case n == 17:
		return group(g.pick([]string{"(?s:", "(?m:", "(?U:", "(?i)"}))
	case n == 18:
		return "(?i)"
	}
	return string(rune('a' + g.Intn(26)))
}

func (g *patternGen) piece(depth int) string {
	a := g.atom(depth)
	switch g.Intn(14) {
	case 0:
		return a + "*"
	case 1:
		return a + "+"
	case 2:
		return a + "?"
	case 3:
		return a + "*?"
	case 4:
		return a + "+?"
	case 5:
		return a + "{" + strconv.Itoa(g.Intn(5)) + "}"
	case 6:
		return a + "{" + strconv.Itoa(g.Intn(4)) + ",}"
	case 7:
		lo := g.Intn(4)
		return a + "{" + strconv.Itoa(lo) + "," + strconv.Itoa(lo+g.Intn(4)) + "}"
	case 8:
		return a + "??"
	}
	return a
}

func (g *patternGen) concatenation(depth int) string {
	n := g.Intn(5)
	if depth == 0 {
		n = 1 + g.Intn(8)
	}
	var b strings.Builder
	for range n {
		b.WriteString(g.piece(depth))
	}
	return b.String()
}

func (g *patternGen) alternation(depth int) string {
	n := 1
	if g.Intn(3) == 0 {
		n = 2 + g.Intn(3)
	}
	parts := make([]string, n)
	for i := range parts {
		parts[i] = g.concatenation(depth)
	}
	return strings.Join(parts, "|")
}

// The corpus file is read line by line; no pattern may hold a newline
// or a tab.
func TestCorpusPatternsAreOneLineEach(t *testing.T) {
	for _, p := range append(realPatterns, generatedPatterns(6000)...) {
		if strings.ContainsAny(p, "\n\t") {
			t.Errorf("pattern %q cannot be a corpus line", p)
		}
	}
}
