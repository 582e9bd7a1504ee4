package concept

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/modelwatch/modelwatch"
)

// TestBuildDefaults checks that every detector lists River's parameters, in
// River's signature order, with River's defaults (river/drift/*.py).
func TestBuildDefaults(t *testing.T) {
	want := map[string]string{
		"adwin":       `{"delta":0.002,"clock":32,"max_buckets":5,"min_window_length":5,"grace_period":10}`,
		"kswin":       `{"alpha":0.005,"window_size":100,"stat_size":30,"seed":0,"window":null}`,
		"pagehinkley": `{"min_instances":30,"delta":0.005,"threshold":50,"alpha":0.9999,"mode":"both"}`,
		"ddm":         `{"warm_start":30,"warning_threshold":2,"drift_threshold":3}`,
		"eddm":        `{"warm_start":30,"alpha":0.95,"beta":0.9}`,
		"hddm_a":      `{"drift_confidence":0.001,"warning_confidence":0.005,"two_sided_test":false}`,
		"hddm_w":      `{"drift_confidence":0.001,"warning_confidence":0.005,"lambda_val":0.05,"two_sided_test":false}`,
		"nodrift":     `{}`,
	}
	for _, name := range Names() {
		_, params, err := Build(name, nil)
		if err != nil {
			t.Fatalf("Build(%q, nil): %v", name, err)
		}
		b, err := json.Marshal(params)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != want[name] {
			t.Errorf("Build(%q) params = %s, want %s", name, b, want[name])
		}
	}
}

func TestBuildTypes(t *testing.T) {
	tests := []struct {
		name   string
		params map[string]string
		want   any // the detector's type
		json   string
	}{
		{"ADWIN", map[string]string{"delta": "0.01", "clock": "1"}, &ADWIN{}, `{"delta":0.01,"clock":1,"max_buckets":5,"min_window_length":5,"grace_period":10}`},
		{"PageHinkley", map[string]string{"delta": "0", "mode": "up", "threshold": "1e1"}, &PageHinkley{}, `{"min_instances":30,"delta":0,"threshold":10,"alpha":0.9999,"mode":"up"}`},
		{"ddm", map[string]string{"warm_start": "0"}, &DDM{}, `{"warm_start":0,"warning_threshold":2,"drift_threshold":3}`},
		{"hddm_a", map[string]string{"two_sided_test": "True"}, &HDDMA{}, `{"drift_confidence":0.001,"warning_confidence":0.005,"two_sided_test":true}`},
		{"HDDM_W", map[string]string{"lambda_val": " 0.1 "}, &HDDMW{}, `{"drift_confidence":0.001,"warning_confidence":0.005,"lambda_val":0.1,"two_sided_test":false}`},
		{"kswin", map[string]string{"seed": "18446744073709551615"}, &KSWIN{}, `{"alpha":0.005,"window_size":100,"stat_size":30,"seed":18446744073709551615,"window":null}`},
		{"kswin", map[string]string{"window": "[0.75, 0.8, 1, -1]"}, &KSWIN{}, `{"alpha":0.005,"window_size":100,"stat_size":30,"seed":0,"window":[0.75,0.8,1,-1]}`},
		{"kswin", map[string]string{"window": "[]"}, &KSWIN{}, `{"alpha":0.005,"window_size":100,"stat_size":30,"seed":0,"window":[]}`},
		{"eddm", map[string]string{"alpha": "0.8", "beta": "0.8"}, &EDDM{}, `{"warm_start":30,"alpha":0.8,"beta":0.8}`},
		{"nodrift", map[string]string{}, NoDrift{}, `{}`},
	}
	for _, tt := range tests {
		d, params, err := Build(tt.name, tt.params)
		if err != nil {
			t.Errorf("Build(%q, %v): %v", tt.name, tt.params, err)
			continue
		}
		b, _ := json.Marshal(params)
		if string(b) != tt.json || !sameType(d, tt.want) {
			t.Errorf("Build(%q, %v) = %T %s, want %T %s", tt.name, tt.params, d, b, tt.want, tt.json)
		}
	}
}

func sameType(a, b any) bool { return typeOf(a) == typeOf(b) }

// typeOf names the detector type of v.
func typeOf(v any) string {
	switch v.(type) {
	case *ADWIN:
		return "ADWIN"
	case *KSWIN:
		return "KSWIN"
	case *PageHinkley:
		return "PageHinkley"
	case *DDM:
		return "DDM"
	case *EDDM:
		return "EDDM"
	case *HDDMA:
		return "HDDMA"
	case *HDDMW:
		return "HDDMW"
	case NoDrift:
		return "NoDrift"
	}
	return "?"
}

func TestBuildErrors(t *testing.T) {
	tests := []struct {
		name   string
		params map[string]string
		msg    string // part of the message
	}{
		{"cusum", nil, `unknown detector "cusum"`},
		{"adwin", map[string]string{"dleta": "0.1"}, `unknown parameter "dleta" (parameters: delta, clock, max_buckets, min_window_length, grace_period)`},
		{"nodrift", map[string]string{"x": "1"}, `unknown parameter "x" (parameters: none)`},
		{"adwin", map[string]string{"clock": "often"}, `parameter clock="often": want an integer`},
		{"adwin", map[string]string{"clock": "0"}, "clock must be at least 1"},
		{"adwin", map[string]string{"delta": "nan"}, "want a finite number"},
		{"adwin", map[string]string{"delta": "0"}, "delta must be a positive number"},
		{"kswin", map[string]string{"seed": "-1"}, "want a non-negative integer"},
		{"kswin", map[string]string{"window": "1,x"}, "want a list of finite numbers"},
		{"kswin", map[string]string{"alpha": "2"}, "alpha must be between 0 and 1"},
		{"kswin", map[string]string{"window_size": "50"}, "window_size must be at least twice stat_size"},
		{"pagehinkley", map[string]string{"mode": "sideways"}, `mode must be "up", "down" or "both"`},
		{"pagehinkley", map[string]string{"alpha": "1.5"}, "alpha must be between 0 and 1"},
		{"eddm", map[string]string{"alpha": "0.5"}, "alpha (0.5) must be greater than or equal to beta (0.9)"},
		{"hddm_a", map[string]string{"two_sided_test": "yes"}, "want true or false"},
		{"hddm_a", map[string]string{"drift_confidence": "0"}, "drift_confidence must be in (0, 1]"},
		{"hddm_w", map[string]string{"warning_confidence": "1.5"}, "warning_confidence must be in (0, 1]"},
		{"hddm_w", map[string]string{"lambda_val": "-0.1"}, "lambda_val must be between 0 and 1"},
		{"ddm", map[string]string{"drift_threshold": "inf"}, "want a finite number"},
	}
	for _, tt := range tests {
		_, _, err := Build(tt.name, tt.params)
		if modelwatch.ErrorCode(err) != modelwatch.EInvalid || !strings.Contains(modelwatch.ErrorMessage(err), tt.msg) {
			t.Errorf("Build(%q, %v) error = %v, want code invalid with %q", tt.name, tt.params, err, tt.msg)
		}
	}
}

func TestBinaryInput(t *testing.T) {
	for name, want := range map[string]bool{
		"ddm": true, "EDDM": true, "hddm_a": true, "hddm_w": true,
		"adwin": false, "kswin": false, "pagehinkley": false, "nodrift": false, "x": false,
	} {
		if got := BinaryInput(name); got != want {
			t.Errorf("BinaryInput(%q) = %v, want %v", name, got, want)
		}
	}
}
