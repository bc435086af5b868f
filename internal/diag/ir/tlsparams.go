package ir

import (
	"fmt"
	"slices"
	"strings"
)

// Envoy hands a TLS context's cipher suites and ECDH curves to BoringSSL
// as strict lists, and refuses the whole listener (or cluster) when
// BoringSSL does not know one name: every route on that port would stop
// updating over one typo. ValidateAll cannot see this (the fields are
// plain strings), so the names are checked here, against what BoringSSL
// accepts, and a setting Envoy would refuse is reported on the resource
// and left out: Envoy's defaults are used instead.
//
// The lists below are a superset over the BoringSSL versions Envoy has
// shipped with: a name some supported Envoy accepts is never refused.

// tlsCipher is one TLS 1.0-1.2 cipher suite, with the properties cipher
// rules select by.
type tlsCipher struct {
	name, standard string
	kx, auth       string // key exchange and authentication
	enc, mac       string
	tls12          bool // added in TLS 1.2 (else usable from TLS 1.0)
	deprecated     bool // only selected by name or by an alias that asks for it
}

var tlsCiphers = []tlsCipher{
	{"DES-CBC3-SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "RSA", "RSA", "3DES", "SHA1", false, true},
	{"AES128-SHA", "TLS_RSA_WITH_AES_128_CBC_SHA", "RSA", "RSA", "AES128", "SHA1", false, false},
	{"AES256-SHA", "TLS_RSA_WITH_AES_256_CBC_SHA", "RSA", "RSA", "AES256", "SHA1", false, false},
	{"PSK-AES128-CBC-SHA", "TLS_PSK_WITH_AES_128_CBC_SHA", "PSK", "PSK", "AES128", "SHA1", false, false},
	{"PSK-AES256-CBC-SHA", "TLS_PSK_WITH_AES_256_CBC_SHA", "PSK", "PSK", "AES256", "SHA1", false, false},
	{"AES128-GCM-SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256", "RSA", "RSA", "AES128GCM", "AEAD", true, false},
	{"AES256-GCM-SHA384", "TLS_RSA_WITH_AES_256_GCM_SHA384", "RSA", "RSA", "AES256GCM", "AEAD", true, false},
	{"ECDHE-ECDSA-AES128-SHA", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE", "ECDSA", "AES128", "SHA1", false, false},
	{"ECDHE-ECDSA-AES256-SHA", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE", "ECDSA", "AES256", "SHA1", false, false},
	{"ECDHE-RSA-AES128-SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE", "RSA", "AES128", "SHA1", false, false},
	{"ECDHE-RSA-AES256-SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE", "RSA", "AES256", "SHA1", false, false},
	{"ECDHE-ECDSA-AES128-SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "ECDHE", "ECDSA", "AES128", "SHA256", true, true},
	{"ECDHE-RSA-AES128-SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "ECDHE", "RSA", "AES128", "SHA256", true, true},
	{"ECDHE-ECDSA-AES128-GCM-SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE", "ECDSA", "AES128GCM", "AEAD", true, false},
	{"ECDHE-ECDSA-AES256-GCM-SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE", "ECDSA", "AES256GCM", "AEAD", true, false},
	{"ECDHE-RSA-AES128-GCM-SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE", "RSA", "AES128GCM", "AEAD", true, false},
	{"ECDHE-RSA-AES256-GCM-SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE", "RSA", "AES256GCM", "AEAD", true, false},
	{"ECDHE-PSK-AES128-CBC-SHA", "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA", "ECDHE", "PSK", "AES128", "SHA1", false, false},
	{"ECDHE-PSK-AES256-CBC-SHA", "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA", "ECDHE", "PSK", "AES256", "SHA1", false, false},
	{"ECDHE-RSA-CHACHA20-POLY1305", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE", "RSA", "CHACHA20", "AEAD", true, false},
	{"ECDHE-ECDSA-CHACHA20-POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE", "ECDSA", "CHACHA20", "AEAD", true, false},
	{"ECDHE-PSK-CHACHA20-POLY1305", "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256", "ECDHE", "PSK", "CHACHA20", "AEAD", true, false},
}

// tls13Ciphers are known names that select nothing: TLS 1.3's suites are
// not configurable.
var tls13Ciphers = []string{"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"}

// cipherAlias selects the ciphers whose properties are all among its
// sets (an empty set matches any value).
type cipherAlias struct {
	kx, auth, enc, mac []string
	// version, if set, selects by the version a cipher was added in.
	version           string
	includeDeprecated bool
}

var cipherAliases = map[string]cipherAlias{
	"ALL":    {},
	"HIGH":   {},
	"FIPS":   {},
	"kRSA":   {kx: []string{"RSA"}},
	"kECDHE": {kx: []string{"ECDHE"}}, "kEECDH": {kx: []string{"ECDHE"}}, "ECDH": {kx: []string{"ECDHE"}},
	"ECDHE": {kx: []string{"ECDHE"}}, "EECDH": {kx: []string{"ECDHE"}},
	"kPSK":   {kx: []string{"PSK"}},
	"aRSA":   {auth: []string{"RSA"}},
	"aECDSA": {auth: []string{"ECDSA"}}, "ECDSA": {auth: []string{"ECDSA"}},
	"aPSK":     {auth: []string{"PSK"}},
	"RSA":      {kx: []string{"RSA"}, auth: []string{"RSA"}},
	"PSK":      {kx: []string{"PSK"}, auth: []string{"PSK"}},
	"3DES":     {enc: []string{"3DES"}, includeDeprecated: true},
	"AES128":   {enc: []string{"AES128", "AES128GCM"}},
	"AES256":   {enc: []string{"AES256", "AES256GCM"}},
	"AES":      {enc: []string{"AES128", "AES128GCM", "AES256", "AES256GCM"}},
	"AESGCM":   {enc: []string{"AES128GCM", "AES256GCM"}},
	"CHACHA20": {enc: []string{"CHACHA20"}},
	"SHA1":     {mac: []string{"SHA1"}}, "SHA": {mac: []string{"SHA1"}},
	// Older BoringSSL releases, still in supported Envoys.
	"SHA256": {mac: []string{"SHA256"}}, "SHA384": {mac: []string{"SHA384"}},
	"SSLv3": {version: "TLSv1"}, "TLSv1": {version: "TLSv1"}, "TLSv1.2": {version: "TLSv1.2"},
}

// ecdhCurves are the curve (group) names BoringSSL accepts.
var ecdhCurves = []string{
	"P-224", "secp224r1", "P-256", "prime256v1", "P-384", "secp384r1", "P-521", "secp521r1",
	"X25519", "x25519", "X25519Kyber768Draft00", "X25519MLKEM768", "MLKEM1024",
}

var tlsVersionNames = []string{"v1.0", "v1.1", "v1.2", "v1.3"}

// leaveOutRefusedTLSParameters reports, on key, each of c's settings Envoy
// would refuse, and leaves it out of c. from, when set, says where the
// settings come from ("tlsContext x: ").
func (c *TLSContext) leaveOutRefusedTLSParameters(key, from string, d *Diagnostics) {
	for _, v := range []*string{&c.MinVersion, &c.MaxVersion} {
		if *v != "" && !slices.Contains(tlsVersionNames, *v) {
			d.Error(key, "%sTLS version %q is not one of %s: ignored", from, *v, strings.Join(tlsVersionNames, ", "))
			*v = ""
		}
	}
	// The names sort as the versions do.
	if c.MinVersion != "" && c.MaxVersion != "" && c.MinVersion > c.MaxVersion {
		d.Error(key, "%smin_tls_version %s is above max_tls_version %s, so no connection could be made: both ignored", from, c.MinVersion, c.MaxVersion)
		c.MinVersion, c.MaxVersion = "", ""
	}
	if problem := cipherListProblem(c.CipherSuites); problem != "" {
		d.Error(key, "%scipher_suites: %s: ignored, Envoy's default ciphers are used", from, problem)
		c.CipherSuites = nil
	}
	for _, curve := range c.ECDHCurves {
		if !slices.Contains(ecdhCurves, curve) {
			d.Error(key, "%secdh_curves: %q is not a curve Envoy knows (%s): ignored, Envoy's default curves are used", from, curve, strings.Join(ecdhCurves, ", "))
			c.ECDHCurves = nil
			break
		}
	}
	for p := range strings.SplitSeq(c.ALPN, ",") {
		if len(p) > 255 {
			d.Error(key, "%salpn_protocols: a protocol name is %d bytes, over the 255 TLS allows: ignored", from, len(p))
			c.ALPN = ""
			break
		}
	}
}

// cipherListProblem says why BoringSSL would refuse the cipher list Envoy
// makes of suites (joined with ':', parsed strictly), or "" when it would
// take it. It follows BoringSSL's rule language: entries are cipher names
// or aliases joined by '+', each optionally after one of - + ! @; a list
// may start with DEFAULT; "[a|b]" is a group of equally preferred
// ciphers, after which the operators may no longer be used. The list
// must select at least one TLS 1.0-1.2 cipher.
func cipherListProblem(suites []string) string {
	if len(suites) == 0 {
		return ""
	}
	s := &cipherSelection{active: map[string]bool{}, killed: map[string]bool{}}
	rule := strings.Join(suites, ":")
	if rest, ok := strings.CutPrefix(rule, "DEFAULT"); ok {
		s.apply(0, cipherAliases["ALL"], "")
		rule = strings.TrimPrefix(rest, ":")
	}
	inGroup, hadGroup := false, false
	for i := 0; i < len(rule); {
		ch := rule[i]
		op := byte(0) // add
		switch {
		case inGroup && ch == ']':
			inGroup = false
			i++
			continue
		case inGroup && ch == '|':
			i++
			continue
		case inGroup && !isAlnum(ch):
			return fmt.Sprintf("%q is not allowed inside [ ] (only names and |)", ch)
		case !inGroup && strings.IndexByte("-+!@", ch) >= 0:
			op = ch
			i++
		case !inGroup && ch == '[':
			inGroup, hadGroup = true, true
			i++
			continue
		}
		if hadGroup && op != 0 {
			return fmt.Sprintf("the operator %q cannot be used in a list with [ ] groups", op)
		}
		if op == 0 && ch == ':' {
			i++
			continue
		}
		alias := cipherAlias{includeDeprecated: op != 0}
		name, multi, skip := "", false, false
		for {
			start := i
			for i < len(rule) && (isAlnum(rule[i]) || strings.IndexByte("-._", rule[i]) >= 0) {
				i++
			}
			word := rule[start:i]
			if word == "" {
				if i < len(rule) {
					return fmt.Sprintf("unexpected %q in %q", rule[i], rule)
				}
				return fmt.Sprintf("%q ends with an operator", rule)
			}
			if op == '@' {
				if word != "STRENGTH" {
					return fmt.Sprintf("@%s is not a command (only @STRENGTH)", word)
				}
				break
			}
			more := i < len(rule) && rule[i] == '+'
			if !multi && !more && isCipherName(word) {
				name = word
			} else if a, ok := cipherAliases[word]; ok {
				alias.kx, alias.auth = narrow(alias.kx, a.kx), narrow(alias.auth, a.auth)
				alias.enc, alias.mac = narrow(alias.enc, a.enc), narrow(alias.mac, a.mac)
				alias.includeDeprecated = alias.includeDeprecated || a.includeDeprecated
				if alias.version != "" && a.version != "" && alias.version != a.version {
					skip = true
				} else if a.version != "" {
					alias.version = a.version
				}
			} else if isCipherName(word) {
				return fmt.Sprintf("cipher name %q cannot be combined with + (only aliases can)", word)
			} else {
				return fmt.Sprintf("%q is not a cipher or cipher alias Envoy knows", word)
			}
			if !more {
				break
			}
			i++
			multi = true
		}
		if op != '@' && !skip {
			s.apply(op, alias, name)
		}
	}
	if inGroup {
		return "a [ group is not closed"
	}
	if len(s.active) == 0 {
		return "it selects no cipher for TLS 1.0-1.2 (TLS 1.3's cannot be configured)"
	}
	return ""
}

// cipherSelection is the set of ciphers a rule list has selected so far.
type cipherSelection struct {
	active, killed map[string]bool
}

// apply runs one rule over the cipher named, or over those alias
// selects: op is 0 (add), '-', '!' or '+' (see below).
func (s *cipherSelection) apply(op byte, alias cipherAlias, name string) {
	for _, c := range tlsCiphers {
		if name != "" && c.name != name && c.standard != name {
			continue
		}
		if name == "" && !alias.selects(c) {
			continue
		}
		switch op {
		case 0: // add, unless removed for good
			if !s.killed[c.name] {
				s.active[c.name] = true
			}
		case '-': // remove, may be added again
			delete(s.active, c.name)
		case '!': // remove for good
			delete(s.active, c.name)
			s.killed[c.name] = true
		}
		// '+' only moves ciphers already selected to the end.
	}
}

func (a cipherAlias) selects(c tlsCipher) bool {
	in := func(set []string, v string) bool { return set == nil || slices.Contains(set, v) }
	version := "TLSv1"
	if c.tls12 {
		version = "TLSv1.2"
	}
	return in(a.kx, c.kx) && in(a.auth, c.auth) && in(a.enc, c.enc) && in(a.mac, c.mac) &&
		(a.version == "" || a.version == version) && (a.includeDeprecated || !c.deprecated)
}

// narrow is the values both sets allow (nil allows any); an empty,
// non-nil result allows none.
func narrow(have, more []string) []string {
	switch {
	case more == nil:
		return have
	case have == nil:
		return more
	}
	out := []string{}
	for _, v := range have {
		if slices.Contains(more, v) {
			out = append(out, v)
		}
	}
	return out
}

func isCipherName(word string) bool {
	return slices.Contains(tls13Ciphers, word) || slices.ContainsFunc(tlsCiphers, func(c tlsCipher) bool {
		return c.name == word || c.standard == word
	})
}

func isAlnum(ch byte) bool {
	return ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9'
}
