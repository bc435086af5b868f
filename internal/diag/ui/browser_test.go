package ui

import (
	"context"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

var update = flag.Bool("update", false, "write testdata/overview.png, a screenshot of the overview, for review")

// chromium finds a headless-capable browser: CHROMIUM_BIN, else the usual
// names on PATH.
func chromium(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("CHROMIUM_BIN"); bin != "" {
		path, err := exec.LookPath(bin)
		if err != nil {
			t.Fatalf("CHROMIUM_BIN=%s: %v", bin, err)
		}
		return path
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	t.Skip("no browser: set CHROMIUM_BIN or put chromium, chromium-browser or google-chrome on PATH")
	return ""
}

// diagServer serves the pages as diagd does: the overview at DiagPath and
// each resource below it, the key read from the decoded path.
func diagServer(in Input) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key, ok := strings.CutPrefix(r.URL.Path, DiagPath)
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if key == "" {
			if err := RenderOverview(w, BuildOverview(in)); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
			}
			return
		}
		page, ok := BuildResourcePage(in, key)
		if !ok {
			http.NotFound(w, r)
			return
		}
		if err := RenderResource(w, page); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
}

func TestOverviewInABrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	bin := chromium(t)

	in := inputFrom(t, "../testdata/errors/in.yaml")
	in.System = System{Version: "3.9.1-test", Hostname: "emissary-7f9c", BootTime: time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC), UptimeSeconds: 3725}
	in.Status = Status{Reconfigurations: 3, LastAttempt: good, LastGood: good}
	srv := httptest.NewServer(diagServer(in))
	defer srv.Close()

	// The timeout bounds the whole test, browser included.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.NoSandbox, // root in a container
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 900),
	)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	ctx, cancelBrowser := chromedp.NewContext(ctx)
	defer cancelBrowser()

	overview := srv.URL + DiagPath
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(overview))
	if err != nil {
		t.Fatalf("loading %s: %v", overview, err)
	}
	if resp.Status != http.StatusOK {
		t.Fatalf("%s: status %d", overview, resp.Status)
	}

	visible := func(sel string) {
		t.Helper()
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
			const r = document.querySelector(`+strconv.Quote(sel)+`).getBoundingClientRect();
			return r.height > 0 && r.width > 0;
		})()`))
		if err != nil || !ok {
			t.Errorf("%s is not visible (err %v)", sel, err)
		}
	}
	innerText := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector(`+strconv.Quote(sel)+`).innerText`))
		if err != nil {
			t.Fatalf("innerText of %s: %v", sel, err)
		}
		return s
	}

	for _, sel := range []string{"#status", "#errors", "#routes", "#clusters", "#listeners", "#hosts", "#resources"} {
		visible(sel)
	}
	mustContain(t, "#errors as shown", innerText("#errors"),
		"resolver nope is unknown",
		"port 8080 is already used by Listener/http-again.default")
	mustContain(t, "#routes as shown", innerText("#routes"), "/good/", "cluster_good_default", "/heavy/", "60%")
	mustContain(t, "the header as shown", innerText("header"), "3.9.1-test", "emissary-7f9c")

	// Every cluster a route links to is a row of the clusters table.
	dangling, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#routes a[href^="#cluster-"]')]
		.map(a => a.getAttribute('href').slice(1))
		.filter(id => !document.getElementById(id))`))
	if err != nil || len(dangling) != 0 {
		t.Errorf("route links to missing clusters: %v (err %v)", dangling, err)
	}

	if *update {
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		path := filepath.Join("testdata", "overview.png")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", path)
	}

	// Follow an error to its resource's page.
	link := `#errors a[href="` + ResourcePath("Mapping/bad-regex.default") + `"]`
	resp, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(link)))
	if err != nil {
		t.Fatalf("clicking %s: %v", link, err)
	}
	if resp.Status != http.StatusOK {
		t.Fatalf("the error's link gave status %d", resp.Status)
	}
	location, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil || location != srv.URL+"/ambassador/v0/diag/Mapping/bad-regex.default" {
		t.Errorf("after the click the browser is at %q (err %v)", location, err)
	}
	visible("#resource")
	mustContain(t, "#resource as shown", innerText("#resource"), "Mapping/bad-regex.default")
	mustContain(t, "#errors as shown", innerText("#errors"), `invalid regex "/bad/("`)

	// And back to the overview.
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS("#back"))); err != nil {
		t.Fatalf("clicking back: %v", err)
	}
	visible("#routes")
}
