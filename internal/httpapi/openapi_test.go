package httpapi

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestOpenAPIMatchesRoutes checks the OpenAPI document against the route
// table: the same paths, the same methods, the same scopes.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	var spec struct {
		OpenAPI string `json:"openapi"`
		Paths   map[string]map[string]struct {
			Scope     string         `json:"x-scope"`
			Responses map[string]any `json:"responses"`
			Security  []any          `json:"security"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(openAPI, &spec); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(spec.OpenAPI, "3.") {
		t.Errorf("openapi version %q", spec.OpenAPI)
	}
	s := &Server{opts: Options{Metrics: http404{}}}
	seen := map[string]bool{}
	for _, rt := range s.table() {
		ops, ok := spec.Paths[rt.path]
		if !ok {
			t.Errorf("route %s is not in openapi.json", rt.path)
			continue
		}
		seen[rt.path] = true
		var methods []string
		for m := range ops {
			methods = append(methods, strings.ToUpper(m))
		}
		for m, ep := range rt.endpoints {
			op, ok := ops[strings.ToLower(m)]
			if !ok {
				t.Errorf("%s %s is not in openapi.json", m, rt.path)
				continue
			}
			if op.Scope != ep.scope {
				t.Errorf("%s %s: openapi.json says scope %q, the server requires %q", m, rt.path, op.Scope, ep.scope)
			}
			if (ep.scope == "") != (len(op.Security) == 0) {
				t.Errorf("%s %s: security %v does not match scope %q", m, rt.path, op.Security, ep.scope)
			}
			if len(op.Responses) == 0 {
				t.Errorf("%s %s has no responses", m, rt.path)
			}
			methods = slices.DeleteFunc(methods, func(x string) bool { return x == m })
		}
		if len(methods) > 0 {
			t.Errorf("openapi.json has %v %s, which the server does not serve", methods, rt.path)
		}
	}
	for p := range spec.Paths {
		if !seen[p] {
			t.Errorf("openapi.json has %s, which the server does not serve", p)
		}
	}
}

type http404 struct{}

func (http404) ServeHTTP(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNotFound) }
