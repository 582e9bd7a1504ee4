package concept

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/modelwatch/modelwatch"
)

// Names lists the detector names Build accepts, in River's order.
func Names() []string {
	return []string{"adwin", "kswin", "pagehinkley", "ddm", "eddm", "hddm_a", "hddm_w", "nodrift"}
}

// BinaryInput reports whether the detector named name (see Names) takes 0/1
// input: 1 for an error, 0 for a correct prediction.
func BinaryInput(name string) bool {
	switch strings.ToLower(name) {
	case "ddm", "eddm", "hddm_a", "hddm_w":
		return true
	}
	return false
}

// Param is one parameter of a detector under River's name, with its
// effective value: a float64, int, uint64, bool, string or []float64 (nil
// for River's None).
type Param struct {
	Name  string
	Value any
}

// Params lists a detector's parameters in the order of River's signature.
// Its JSON form is an object in that order.
type Params []Param

// MarshalJSON implements json.Marshaler.
func (ps Params) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, p := range ps {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(p.Name)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(p.Value)
		if err != nil {
			return nil, fmt.Errorf("encode parameter %s: %w", p.Name, err)
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// Build returns the detector named name (one of Names, case-insensitive)
// configured by params, which maps River's parameter names to values in Go
// or Python syntax ("0.002", "32", "true", "True", "up"). Parameters not
// given take River's defaults; unlike the config structs, an explicit "0"
// means zero. It also returns every parameter with its effective value.
// Unknown names, unknown or malformed parameters and values the detector
// rejects are errors of code modelwatch.EInvalid.
//
// The parameters, with River's defaults:
//
//	adwin        delta=0.002 clock=32 max_buckets=5 min_window_length=5 grace_period=10
//	kswin        alpha=0.005 window_size=100 stat_size=30 seed=0 window=None
//	             (window: numbers pre-filling the window, "[1, 2, 3]" or "1,2,3")
//	pagehinkley  min_instances=30 delta=0.005 threshold=50 alpha=0.9999 mode=both
//	ddm          warm_start=30 warning_threshold=2 drift_threshold=3
//	eddm         warm_start=30 alpha=0.95 beta=0.9
//	hddm_a       drift_confidence=0.001 warning_confidence=0.005 two_sided_test=false
//	hddm_w       drift_confidence=0.001 warning_confidence=0.005 lambda_val=0.05 two_sided_test=false
//	nodrift      (none)
func Build(name string, params map[string]string) (Detector, Params, error) {
	p := paramReader{detector: strings.ToLower(name), raw: params}
	var d Detector
	var err error
	switch p.detector {
	case "adwin":
		c := ADWINConfig{}.withDefaults()
		c.Delta = p.float("delta", c.Delta)
		c.Clock = p.int("clock", c.Clock)
		c.MaxBuckets = p.int("max_buckets", c.MaxBuckets)
		c.MinWindowLength = p.int("min_window_length", c.MinWindowLength)
		c.GracePeriod = p.int("grace_period", c.GracePeriod)
		if err = p.done(); err == nil {
			d, err = newADWIN(c)
		}
	case "kswin":
		c := KSWINConfig{}.withDefaults()
		c.Alpha = p.float("alpha", c.Alpha)
		c.WindowSize = p.int("window_size", c.WindowSize)
		c.StatSize = p.int("stat_size", c.StatSize)
		c.Seed = p.uint("seed", c.Seed)
		c.Window = p.floats("window")
		if err = p.done(); err == nil {
			d, err = newKSWIN(c)
		}
	case "pagehinkley":
		c := PageHinkleyConfig{}.withDefaults()
		c.MinInstances = p.int("min_instances", c.MinInstances)
		c.Delta = p.float("delta", c.Delta)
		c.Threshold = p.float("threshold", c.Threshold)
		c.Alpha = p.float("alpha", c.Alpha)
		c.Mode = p.str("mode", c.Mode)
		if err = p.done(); err == nil {
			d, err = newPageHinkley(c)
		}
	case "ddm":
		c := DDMConfig{}.withDefaults()
		c.WarmStart = p.int("warm_start", c.WarmStart)
		c.WarningThreshold = p.float("warning_threshold", c.WarningThreshold)
		c.DriftThreshold = p.float("drift_threshold", c.DriftThreshold)
		if err = p.done(); err == nil {
			d, err = newDDM(c)
		}
	case "eddm":
		c := EDDMConfig{}.withDefaults()
		c.WarmStart = p.int("warm_start", c.WarmStart)
		c.Alpha = p.float("alpha", c.Alpha)
		c.Beta = p.float("beta", c.Beta)
		if err = p.done(); err == nil {
			d, err = newEDDM(c)
		}
	case "hddm_a":
		c := HDDMAConfig{}.withDefaults()
		c.DriftConfidence = p.float("drift_confidence", c.DriftConfidence)
		c.WarningConfidence = p.float("warning_confidence", c.WarningConfidence)
		c.TwoSidedTest = p.bool("two_sided_test", c.TwoSidedTest)
		if err = p.done(); err == nil {
			d, err = newHDDMA(c)
		}
	case "hddm_w":
		c := HDDMWConfig{}.withDefaults()
		c.DriftConfidence = p.float("drift_confidence", c.DriftConfidence)
		c.WarningConfidence = p.float("warning_confidence", c.WarningConfidence)
		c.LambdaVal = p.float("lambda_val", c.LambdaVal)
		c.TwoSidedTest = p.bool("two_sided_test", c.TwoSidedTest)
		if err = p.done(); err == nil {
			d, err = newHDDMW(c)
		}
	case "nodrift":
		if err = p.done(); err == nil {
			d = NoDrift{}
		}
	default:
		return nil, nil, modelwatch.Errorf(modelwatch.EInvalid, "unknown detector %q: want one of %s", name, strings.Join(Names(), ", "))
	}
	if err != nil {
		return nil, nil, err
	}
	return d, p.out, nil
}

// paramReader takes typed parameters out of a name → text map, remembering
// the first error and the effective values in the order they are read.
type paramReader struct {
	detector string
	raw      map[string]string
	used     []string
	out      Params
	err      error
}

// take returns the text of parameter name, if given.
func (p *paramReader) take(name string) (string, bool) {
	p.used = append(p.used, name)
	s, ok := p.raw[name]
	return strings.TrimSpace(s), ok
}

func (p *paramReader) fail(name, s, want string) {
	if p.err == nil {
		p.err = modelwatch.Errorf(modelwatch.EInvalid, "%s: parameter %s=%q: want %s", p.detector, name, s, want)
	}
}

func (p *paramReader) float(name string, def float64) float64 {
	v := def
	if s, ok := p.take(name); ok {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			p.fail(name, s, "a finite number")
		} else {
			v = f
		}
	}
	p.out = append(p.out, Param{name, v})
	return v
}

func (p *paramReader) int(name string, def int) int {
	v := def
	if s, ok := p.take(name); ok {
		i, err := strconv.Atoi(s)
		if err != nil {
			p.fail(name, s, "an integer")
		} else {
			v = i
		}
	}
	p.out = append(p.out, Param{name, v})
	return v
}

func (p *paramReader) uint(name string, def uint64) uint64 {
	v := def
	if s, ok := p.take(name); ok {
		u, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			p.fail(name, s, "a non-negative integer below 2^64")
		} else {
			v = u
		}
	}
	p.out = append(p.out, Param{name, v})
	return v
}

// floats reads a list of numbers, comma-separated and optionally in
// brackets ("[0.75, 0.8, 1]"); nil (JSON null, River's None) when absent.
func (p *paramReader) floats(name string) []float64 {
	var v []float64
	if s, ok := p.take(name); ok {
		inner := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"))
		v = []float64{}
		if inner != "" {
			for _, f := range strings.Split(inner, ",") {
				x, err := ParseInput(f, false)
				if err != nil {
					p.fail(name, s, "a list of finite numbers")
					break
				}
				v = append(v, x)
			}
		}
	}
	p.out = append(p.out, Param{name, v})
	return v
}

func (p *paramReader) bool(name string, def bool) bool {
	v := def
	if s, ok := p.take(name); ok {
		switch strings.ToLower(s) {
		case "true", "1":
			v = true
		case "false", "0":
			v = false
		default:
			p.fail(name, s, "true or false")
		}
	}
	p.out = append(p.out, Param{name, v})
	return v
}

func (p *paramReader) str(name, def string) string {
	v := def
	if s, ok := p.take(name); ok {
		v = s
	}
	p.out = append(p.out, Param{name, v})
	return v
}

// done reports the first malformed value, or else the first unknown
// parameter.
func (p *paramReader) done() error {
	if p.err != nil {
		return p.err
	}
	var unknown []string
	for name := range p.raw {
		if !slices.Contains(p.used, name) {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	slices.Sort(unknown)
	known := "none"
	if len(p.used) > 0 {
		known = strings.Join(p.used, ", ")
	}
	return modelwatch.Errorf(modelwatch.EInvalid, "%s: unknown parameter %q (parameters: %s)", p.detector, unknown[0], known)
}
