package diag

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	customresponsev3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/custom_response/v3"
	localresponsev3 "github.com/envoyproxy/go-control-plane/envoy/extensions/http/custom_response/local_response_policy/v3"

	"github.com/emissary-go/emissary/internal/diag/envoy"
	"github.com/emissary-go/emissary/internal/diag/ir"
	"github.com/emissary-go/emissary/internal/snapshot"
)

// overridesByRoute reads, from envoy.json, which statuses each route's
// custom_response config rewrites (and the first rule's body format).
func overridesByRoute(t *testing.T, out *Output) (map[string][]string, []string) {
	t.Helper()
	_, hcm := mainConnectionManager(t, out)
	var filters []string
	for _, f := range hcm.GetHttpFilters() {
		filters = append(filters, f.GetName())
	}
	got := map[string][]string{}
	for _, vh := range hcm.GetRouteConfig().GetVirtualHosts() {
		for _, r := range vh.GetRoutes() {
			codes := []string{}
			if a := r.GetTypedPerFilterConfig()["envoy.filters.http.custom_response"]; a != nil {
				cr := &customresponsev3.CustomResponse{}
				if err := a.UnmarshalTo(cr); err != nil {
					t.Fatal(err)
				}
				for _, m := range cr.GetCustomResponseMatcher().GetMatcherList().GetMatchers() {
					policy := &localresponsev3.LocalResponsePolicy{}
					if err := m.GetOnMatch().GetAction().GetTypedConfig().UnmarshalTo(policy); err != nil {
						t.Fatal(err)
					}
					f := policy.GetBodyFormat()
					body := f.GetTextFormatSource().GetInlineString() + f.GetTextFormatSource().GetFilename()
					if j := f.GetJsonFormat(); j != nil {
						body = "json:" + j.GetFields()["error"].GetStringValue()
					}
					codes = append(codes, m.GetPredicate().GetSinglePredicate().GetValueMatch().GetExact()+"="+body)
				}
			}
			got[r.GetMatch().GetPrefix()] = codes
		}
	}
	return got, filters
}

// The Module's overrides reach every route (the built-in ones too); a
// Mapping's own replace them, and bypassing turns them off.
func TestErrorResponseOverrides(t *testing.T) {
	out := translateDir(t, "error-responses")
	got, filters := overridesByRoute(t, out)
	if i := slices.Index(filters, "envoy.filters.http.custom_response"); i < 0 || filters[i+1] != "envoy.filters.http.router" {
		t.Errorf("filters %v: custom_response must come just before the router", filters)
	}
	module := []string{"404=no such page: %REQ(:path)%\n", "503=json:unavailable", "500=/etc/errors/500.html"}
	for prefix, want := range map[string][]string{
		"/plain/":         module,
		"/ambassador/v0/": module,
		"/own/":           {"429=slow down"},
		"/raw/":           {},
	} {
		if !slices.Equal(got[prefix], want) {
			t.Errorf("%s rewrites %q, want %q", prefix, got[prefix], want)
		}
	}
	errs := fmt.Sprint(out.IR.Diagnostics.Errors["Module/ambassador.default"])
	for _, want := range []string{"302 must be from 400 to 599", `"100% broken" has a %`, "invalid Envoy command token FOO_BAR"} {
		if !strings.Contains(errs, want) {
			t.Errorf("Module errors %s lack %q", errs, want)
		}
	}
}

// A body file Envoy could not read is reported and its rule left out:
// Envoy would refuse the whole configuration.
func TestErrorResponseBodyFileMustExist(t *testing.T) {
	data, err := os.ReadFile("testdata/error-responses/in.yaml")
	if err != nil {
		t.Fatal(err)
	}
	opts := TranslateOptions{IR: ir.Options{FileExists: func(name string) bool { return name != "/etc/errors/500.html" }}, Envoy: envoy.Options{SecretDir: "/tmp"}}
	out, err := Translate(snapshot.FromYAML("in.yaml", data, "default"), opts)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := overridesByRoute(t, out)
	if want := []string{"404=no such page: %REQ(:path)%\n", "503=json:unavailable"}; !slices.Equal(got["/plain/"], want) {
		t.Errorf("/plain/ rewrites %q, want %q", got["/plain/"], want)
	}
	if errs := fmt.Sprint(out.IR.Diagnostics.Errors["Module/ambassador.default"]); !strings.Contains(errs, "/etc/errors/500.html does not exist") {
		t.Errorf("the missing file is not reported: %s", errs)
	}
}

// With no overrides anywhere, the filter is not in the chain.
func TestNoErrorResponseFilterWithoutOverrides(t *testing.T) {
	_, filters := overridesByRoute(t, translateDir(t, "cors"))
	if slices.Contains(filters, "envoy.filters.http.custom_response") {
		t.Errorf("filters %v: custom_response without overrides", filters)
	}
}
