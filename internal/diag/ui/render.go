package ui

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"slices"
	"strings"
	"time"
)

// DiagPath is where diagd serves the overview; resource pages live below.
const DiagPath = "/ambassador/v0/diag/"

// ResourcePath is the URL path of a resource's page. Keys look like
// Kind/name.namespace: the slash stays a path separator (diagd reads the
// key back from the decoded path) and each part is escaped.
func ResourcePath(key string) string {
	kind, rest, ok := strings.Cut(key, "/")
	if !ok {
		return DiagPath + url.PathEscape(key)
	}
	return DiagPath + url.PathEscape(kind) + "/" + url.PathEscape(rest)
}

//go:embed templates/*.html
var templateFiles embed.FS

var (
	overviewTemplate = parse("templates/overview.html")
	resourceTemplate = parse("templates/resource.html")
)

// parse makes one page's template set: the layout, the tables the pages
// share, and the page itself (each page defines "title" and "content").
func parse(page string) *template.Template {
	return template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFiles,
		"templates/layout.html", "templates/tables.html", page))
}

var funcs = template.FuncMap{
	"path":     ResourcePath,
	"ref":      ref,
	"anchor":   anchor,
	"inc":      func(i int) int { return i + 1 },
	"join":     strings.Join,
	"uptime":   uptime,
	"when":     when,
	"ms":       milliseconds,
	"plural":   plural,
	"failed":   func(a *Attempt) bool { return a != nil && !a.OK },
	"problems": problemList,
}

// overviewPage is what the overview template sees.
type overviewPage struct {
	Overview
	// Waiting: no configuration has been good yet, so there is nothing
	// to show but the status.
	Waiting bool
	// Known are the keys that have a page; other keys are shown unlinked.
	Known map[string]bool
	// Anchors are the clusters listed on the page, which routes link to.
	Anchors map[string]bool
	// Now is the time the System data was taken, to say how long ago
	// things happened (zero when unknown).
	Now time.Time
}

// resourcePage is what the resource template sees.
type resourcePage struct {
	ResourcePage
	// Known is nil: a resource page does not know which other keys have
	// pages, so it links them all.
	Known   map[string]bool
	Anchors map[string]bool
}

// RenderOverview writes the overview page.
func RenderOverview(w io.Writer, o Overview) error {
	page := overviewPage{
		Overview: o,
		Waiting:  len(o.Listeners) == 0 && len(o.Hosts) == 0 && len(o.Routes) == 0 && len(o.Clusters) == 0 && len(o.Resources) == 0,
		Known:    map[string]bool{},
		Now:      now(o.System),
		Anchors:  anchors(o.Clusters),
	}
	// Every resource has a page, and so does every key with a problem
	// (see BuildResourcePage).
	for _, r := range o.Resources {
		page.Known[r.Key] = true
	}
	for _, p := range slices.Concat(o.Errors, o.Notices) {
		page.Known[p.Key] = true
	}
	return render(w, overviewTemplate, page)
}

// RenderResource writes one resource's page.
func RenderResource(w io.Writer, p ResourcePage) error {
	return render(w, resourceTemplate, resourcePage{ResourcePage: p, Anchors: anchors(p.Clusters)})
}

// render executes into a buffer first so that a failing template never
// leaves half a page behind.
func render(w io.Writer, t *template.Template, data any) error {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		return fmt.Errorf("diagnostics page: %w", err)
	}
	_, err := buf.WriteTo(w)
	return err
}

// keyRef is a resource key and whether to link it to its page.
type keyRef struct {
	Key  string
	Link bool
}

func ref(known map[string]bool, key string) keyRef {
	return keyRef{Key: key, Link: key != "" && (known == nil || known[key])}
}

// anchor is a cluster name, linked to its row when the page lists it.
func anchor(anchors map[string]bool, cluster string) keyRef {
	return keyRef{Key: cluster, Link: anchors[cluster]}
}

func anchors(clusters []Cluster) map[string]bool {
	out := make(map[string]bool, len(clusters))
	for _, c := range clusters {
		out[c.Name] = true
	}
	return out
}

// problemsData is what the "problems" template takes.
type problemsData struct {
	Known    map[string]bool
	Problems []Problem
}

func problemList(known map[string]bool, ps []Problem) problemsData {
	return problemsData{Known: known, Problems: ps}
}

func now(s System) time.Time {
	if s.BootTime.IsZero() {
		return time.Time{}
	}
	return s.BootTime.Add(time.Duration(s.UptimeSeconds) * time.Second)
}

// uptime is a compact duration: 3d 4h 5m 6s.
func uptime(seconds int64) string {
	if seconds < 0 {
		seconds = 0
	}
	d, h, m, s := seconds/86400, seconds/3600%24, seconds/60%60, seconds%60
	switch {
	case d > 0:
		return fmt.Sprintf("%dd %dh %dm", d, h, m)
	case h > 0:
		return fmt.Sprintf("%dh %dm %ds", h, m, s)
	case m > 0:
		return fmt.Sprintf("%dm %ds", m, s)
	default:
		return fmt.Sprintf("%ds", s)
	}
}

// when is a timestamp in UTC, with how long ago it was when known.
func when(t, now time.Time) string {
	if t.IsZero() {
		return "never"
	}
	out := t.UTC().Format("2006-01-02 15:04:05 UTC")
	if !now.IsZero() && !now.Before(t) {
		out += " (" + uptime(int64(now.Sub(t)/time.Second)) + " ago)"
	}
	return out
}

func milliseconds(ms float64) string {
	switch {
	case ms >= 1000:
		return fmt.Sprintf("%.2f s", ms/1000)
	case ms >= 10:
		return fmt.Sprintf("%.0f ms", ms)
	default:
		return fmt.Sprintf("%.1f ms", ms)
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
