package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/concept"
)

// detectCmd replays a stream through one of River's drift detectors, so that
// users can tune a detector on an exported error history before turning it
// on in the server. The detectors and their parameters are
// concept.Build's.
type detectCmd struct {
	Detector string   `short:"d" required:"" enum:"adwin,kswin,pagehinkley,ddm,eddm,hddm_a,hddm_w" help:"Detector: adwin, kswin, pagehinkley, ddm, eddm, hddm_a or hddm_w (River's)."`
	Param    []string `short:"p" sep:"none" placeholder:"NAME=VALUE" help:"A detector parameter under River's name, e.g. delta=0.01; repeat for several. Unset parameters take River's defaults (KSWIN's seed: 0)."`
	File     string   `arg:"" optional:"" placeholder:"FILE" help:"Stream to replay, one number per line (0 correct / 1 error for ddm, eddm, hddm_a, hddm_w); standard input when absent or -."`
}

// detectResult is what detect prints: the detector, every parameter with
// its effective value, and the trace.
type detectResult struct {
	Detector string         `json:"detector"`
	Params   concept.Params `json:"params"`
	concept.Trace
}

// Run replays the stream and prints the result as one line of JSON.
func (c *detectCmd) Run(e *env) error {
	params := map[string]string{}
	for _, p := range c.Param {
		name, value, ok := strings.Cut(p, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return fmt.Errorf("detect: --param %q: want NAME=VALUE", p)
		}
		if _, dup := params[name]; dup {
			return fmt.Errorf("detect: --param %s given twice", name)
		}
		params[name] = value
	}
	d, effective, err := concept.Build(c.Detector, params)
	if err != nil {
		return fmt.Errorf("detect: %w", plain(err))
	}

	in, name := io.Reader(os.Stdin), "standard input"
	if c.File != "" && c.File != "-" {
		f, err := os.Open(c.File)
		if err != nil {
			return fmt.Errorf("detect: open stream: %w", err)
		}
		defer f.Close()
		in, name = f, c.File
	}
	trace, err := replay(e, d, concept.BinaryInput(c.Detector), in)
	if err != nil {
		return fmt.Errorf("detect: read %s: %w", name, err)
	}
	return json.NewEncoder(e.stdout).Encode(detectResult{Detector: c.Detector, Params: effective, Trace: trace})
}

// replay feeds every line of r to d, stopping at the first bad line.
func replay(e *env, d concept.Detector, binary bool, r io.Reader) (concept.Trace, error) {
	trace := concept.Trace{DriftIndices: []int{}, WarningIndices: []int{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for line := 1; sc.Scan(); line++ {
		if line%4096 == 0 && e.ctx.Err() != nil {
			return trace, e.ctx.Err()
		}
		x, err := concept.ParseInput(sc.Text(), binary)
		if err != nil {
			return trace, fmt.Errorf("line %d: %w", line, plain(err))
		}
		trace.Observe(d, x)
	}
	if err := sc.Err(); err != nil {
		return trace, fmt.Errorf("line %d: %w", trace.N+1, err)
	}
	return trace, nil
}

// plain turns a *modelwatch.Error into an error of its message alone, for
// the command line.
func plain(err error) error {
	var me *modelwatch.Error
	if errors.As(err, &me) {
		return errors.New(me.Message)
	}
	return err
}
