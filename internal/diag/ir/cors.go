package ir

import (
	"encoding/json"
	"strings"

	"github.com/emissary-go/emissary/internal/api/getambassador.io/v3alpha1"
)

// CORS is a route's CORS policy, in Envoy's terms: the lists joined with
// ", " as Emissary joins them.
type CORS struct {
	Origins        []string `json:"origins,omitempty"`
	Methods        string   `json:"allow_methods,omitempty"`
	Headers        string   `json:"allow_headers,omitempty"`
	ExposedHeaders string   `json:"expose_headers,omitempty"`
	MaxAge         string   `json:"max_age,omitempty"`
	Credentials    *bool    `json:"allow_credentials,omitempty"`
}

func corsFrom(c *v3alpha1.CORS) *CORS {
	if c == nil {
		return nil
	}
	out := &CORS{
		Origins: c.Origins, Methods: strings.Join(c.Methods, ", "), Headers: strings.Join(c.Headers, ", "),
		ExposedHeaders: strings.Join(c.ExposedHeaders, ", "), MaxAge: c.MaxAge,
	}
	if c.Credentials != nil && *c.Credentials {
		out.Credentials = c.Credentials
	}
	return out
}

// moduleCORS reads the ambassador Module's default cors.
func moduleCORS(raw json.RawMessage, key string, d *Diagnostics) *CORS {
	if len(raw) == 0 {
		return nil
	}
	var c v3alpha1.CORS
	if err := json.Unmarshal(raw, &c); err != nil {
		d.Error(key, "cors: %v", err)
		return nil
	}
	return corsFrom(&c)
}
