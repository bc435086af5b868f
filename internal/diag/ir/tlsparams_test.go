package ir

import (
	"strings"
	"testing"
)

// TestCipherListsAsBoringSSLParsesThem holds cipherListProblem to
// BoringSSL's strict parsing, as Envoy calls it: each case is worked out
// from BoringSSL's rule language (ssl_cipher.cc), not from this code.
func TestCipherListsAsBoringSSLParsesThem(t *testing.T) {
	for _, c := range []struct {
		list []string
		want string // "" when BoringSSL takes the list, else part of the problem
	}{
		{nil, ""},
		{[]string{"DEFAULT"}, ""},
		{[]string{"DEFAULT", "!3DES"}, ""},
		{[]string{"ALL"}, ""},
		{[]string{"HIGH", "FIPS"}, ""},
		{[]string{"AES128-SHA"}, ""},
		{[]string{"TLS_RSA_WITH_AES_128_CBC_SHA"}, ""},
		// Deprecated ciphers are selected by name, and by an alias only
		// when it asks for them.
		{[]string{"ECDHE-RSA-AES128-SHA256"}, ""},
		{[]string{"3DES"}, ""},
		{[]string{"kRSA+3DES"}, ""},
		{[]string{"ECDHE+3DES"}, "selects no cipher"},
		// TLS 1.3's names are known but select nothing.
		{[]string{"TLS_AES_128_GCM_SHA256", "AES128-SHA"}, ""},
		{[]string{"TLS_CHACHA20_POLY1305_SHA256"}, "selects no cipher"},
		// Aliases combine with +; names do not.
		{[]string{"ECDHE+AESGCM", "TLSv1.2+kRSA"}, ""},
		{[]string{"ECDHE-RSA-AES128-GCM-SHA256+AES"}, "cannot be combined"},
		{[]string{"TLSv1+AESGCM"}, "selects no cipher"},
		{[]string{"SSLv3+TLSv1.2"}, "selects no cipher"},
		// Removing: - may be undone, ! may not.
		{[]string{"ALL", "-ALL"}, "selects no cipher"},
		{[]string{"ALL", "-ALL", "AES128-SHA"}, ""},
		{[]string{"!AES128-SHA", "AES128-SHA"}, "selects no cipher"},
		{[]string{"ALL", "!AES128-SHA", "AES128-SHA"}, ""},
		{[]string{"+AES128-SHA", "AES128-SHA"}, ""},
		{[]string{"ALL", "@STRENGTH"}, ""},
		{[]string{"ALL", "@SPEED"}, "only @STRENGTH"},
		// Groups of equal preference.
		{[]string{"[ECDHE-ECDSA-AES128-GCM-SHA256|ECDHE-RSA-AES128-GCM-SHA256]", "AES128-SHA"}, ""},
		{[]string{"[ECDHE+AESGCM|ECDHE+CHACHA20]"}, ""},
		{[]string{"[AES128-SHA|AES256-SHA]", "!3DES"}, "cannot be used in a list with [ ] groups"},
		{[]string{"[AES128-SHA"}, "not closed"},
		{[]string{"[AES128-SHA:AES256-SHA]"}, "inside [ ]"},
		// Strict parsing: only ':' separates, and every word must be known.
		{[]string{"AES128-SHA,AES256-SHA"}, `unexpected ','`},
		{[]string{"AES128-SHA "}, `unexpected ' '`},
		{[]string{"!aNULL"}, `"aNULL" is not a cipher`},
		{[]string{"ECDHE-RSA-AES256-SHA384"}, `"ECDHE-RSA-AES256-SHA384" is not a cipher`},
		{[]string{"DHE-RSA-AES128-GCM-SHA256"}, `"DHE-RSA-AES128-GCM-SHA256" is not a cipher`},
		{[]string{"AES128-SHA", "DEFAULT"}, `"DEFAULT" is not a cipher`},
		{[]string{"AES128-SHA", "!"}, "ends with an operator"},
	} {
		got := cipherListProblem(c.list)
		if c.want == "" && got != "" || c.want != "" && !strings.Contains(got, c.want) {
			t.Errorf("cipherListProblem(%q) = %q, want %q", c.list, got, c.want)
		}
	}
}

// TestRefusedTLSParametersAreLeftOut checks what is kept and what is
// left out of a context, with the error on its resource.
func TestRefusedTLSParametersAreLeftOut(t *testing.T) {
	d := newDiagnostics()
	c := &TLSContext{
		MinVersion: "v1.2", MaxVersion: "v1.3",
		CipherSuites: []string{"ECDHE+AESGCM"}, ECDHCurves: []string{"X25519", "P-256"},
		ALPN: "h2,http/1.1",
	}
	c.leaveOutRefusedTLSParameters("Host/good.default", "", d)
	if len(d.Errors) != 0 || c.MinVersion != "v1.2" || c.MaxVersion != "v1.3" || len(c.CipherSuites) != 1 || len(c.ECDHCurves) != 2 || c.ALPN != "h2,http/1.1" {
		t.Fatalf("a good context was changed: %+v, errors %v", c, d.Errors)
	}

	bad := &TLSContext{
		MinVersion: "v1.3", MaxVersion: "v1.1",
		CipherSuites: []string{"ECDHE+AESGCM", "RC4-SHA"}, ECDHCurves: []string{"X25519", "brainpoolP256r1"},
		ALPN: "h2," + strings.Repeat("x", 256),
	}
	bad.leaveOutRefusedTLSParameters("Host/bad.default", "tls: ", d)
	if bad.MinVersion != "" || bad.MaxVersion != "" || bad.CipherSuites != nil || bad.ECDHCurves != nil || bad.ALPN != "" {
		t.Errorf("refused settings were kept: %+v", bad)
	}
	errs := d.Errors["Host/bad.default"]
	for _, want := range []string{"tls: min_tls_version v1.3 is above max_tls_version v1.1", `"RC4-SHA"`, `"brainpoolP256r1"`, "alpn_protocols: a protocol name is 256 bytes"} {
		if !strings.Contains(strings.Join(errs, "\n"), want) {
			t.Errorf("errors %q do not say %q", errs, want)
		}
	}
}
