package getambassador

import (
	"bufio"
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"

	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// crdsYAML is build/crds.yaml, copied here by `make generate` so that the
// binary carries the schemas it validates annotation resources with.
//
//go:embed crds.yaml
var crdsYAML []byte

// CRDs returns the CustomResourceDefinitions of every getambassador.io
// kind, as build/crds.yaml has them.
func CRDs() ([]*apiextv1.CustomResourceDefinition, error) {
	reader := utilyaml.NewYAMLReader(bufioReader(crdsYAML))
	var crds []*apiextv1.CustomResourceDefinition
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return crds, nil
		}
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(doc)) == 0 || bytes.Equal(bytes.TrimSpace(doc), []byte("---")) {
			continue
		}
		crd := &apiextv1.CustomResourceDefinition{}
		if err := yaml.UnmarshalStrict(doc, crd); err != nil {
			return nil, fmt.Errorf("embedded crds.yaml: %w", err)
		}
		if crd.Name == "" {
			continue // the leading comment
		}
		crds = append(crds, crd)
	}
}

func bufioReader(b []byte) *bufio.Reader { return bufio.NewReader(bytes.NewReader(b)) }
