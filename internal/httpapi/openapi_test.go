package httpapi

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/modelwatch/modelwatch"
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

// TestOpenAPILimits checks that the document states the limits the code
// enforces, and the error body's shape.
func TestOpenAPILimits(t *testing.T) {
	var spec struct {
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPI, &spec); err != nil {
		t.Fatal(err)
	}
	type prop struct {
		MaxLength     int `json:"maxLength"`
		MaxProperties int `json:"maxProperties"`
		PropertyNames struct {
			MaxLength int `json:"maxLength"`
		} `json:"propertyNames"`
	}
	var pred, perr struct {
		Properties map[string]prop `json:"properties"`
	}
	var label struct {
		OneOf []prop `json:"oneOf"`
	}
	var errBody struct {
		Properties struct {
			Error struct {
				Required   []string `json:"required"`
				Properties struct {
					Details struct {
						Type string `json:"type"`
					} `json:"details"`
				} `json:"properties"`
			} `json:"error"`
		} `json:"properties"`
	}
	for name, v := range map[string]any{"Prediction": &pred, "PredictionError": &perr, "Label": &label, "ErrorResponse": &errBody} {
		if err := json.Unmarshal(spec.Components.Schemas[name], v); err != nil {
			t.Fatalf("schema %s: %v", name, err)
		}
	}
	checks := []struct {
		what      string
		got, want int
	}{
		{"Prediction.id maxLength", pred.Properties["id"].MaxLength, modelwatch.MaxIDLength},
		{"Prediction.model_name maxLength", pred.Properties["model_name"].MaxLength, modelwatch.MaxNameLength},
		{"Prediction.model_version maxLength", pred.Properties["model_version"].MaxLength, modelwatch.MaxNameLength},
		{"Prediction.probabilities maxProperties", pred.Properties["probabilities"].MaxProperties, modelwatch.MaxClasses},
		{"Prediction.probabilities propertyNames maxLength", pred.Properties["probabilities"].PropertyNames.MaxLength, modelwatch.MaxLabelLength},
		{"PredictionError.model_name maxLength", perr.Properties["model_name"].MaxLength, modelwatch.MaxNameLength},
		{"PredictionError.model_version maxLength", perr.Properties["model_version"].MaxLength, modelwatch.MaxNameLength},
		{"PredictionError.error_type maxLength", perr.Properties["error_type"].MaxLength, modelwatch.MaxLabelLength},
		{"Label string maxLength", label.OneOf[0].MaxLength, modelwatch.MaxLabelLength},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("openapi.json: %s = %d, the code enforces %d", c.what, c.got, c.want)
		}
	}
	if e := errBody.Properties.Error; !slices.Contains(e.Required, "details") || e.Properties.Details.Type != "array" {
		t.Errorf("openapi.json: error.details must be a required array, as the server always sends it (required %v, type %q)", e.Required, e.Properties.Details.Type)
	}
}
