package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/alecthomas/kong"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/config"
	"github.com/modelwatch/modelwatch/internal/demo"
)

type demoCmd struct {
	Addr            string        `help:"Address to listen on; authentication is off, so only this machine by default (--addr :8080 to share it on a trusted network)." default:"127.0.0.1:8080"`
	DataDir         string        `help:"Directory for the demo's database (default: a temporary directory removed at exit)." type:"path"`
	Speed           float64       `help:"Run simulated time this many times faster: labels arrive and the drift starts sooner, checks run more often." default:"1"`
	DriftAfter      time.Duration `help:"Simulated time after which the inputs and the concept drift." default:"3m"`
	Rate            float64       `help:"Predictions per second the simulated model service makes." default:"20"`
	AlertmanagerURL []string      `name:"alertmanager-url" help:"Alertmanager to post the demo's drift alerts to." sep:","`
	LogLevel        string        `help:"Log level: debug, info, warn or error." default:"info" enum:"debug,info,warn,error"`

	Config config.Flag `help:"YAML file of flag values, keys named like the flags (data-dir: /var/lib/modelwatch); flags and MODELWATCH_* variables win over it." placeholder:"FILE"`
}

// defaultServe returns serve's settings with every flag at its default.
func defaultServe() (serveCmd, error) {
	var c struct {
		Serve serveCmd `cmd:""`
	}
	p, err := kong.New(&c, kong.Exit(func(int) {}))
	if err != nil {
		return serveCmd{}, err
	}
	if _, err := p.Parse([]string{"serve"}); err != nil {
		return serveCmd{}, err
	}
	return c.Serve, nil
}

func (d *demoCmd) Run(e *env) error {
	c, err := defaultServe()
	if err != nil {
		return err
	}
	if d.Speed <= 0 {
		return fmt.Errorf("--speed must be greater than 0")
	}
	c.Addr, c.LogLevel, c.AlertmanagerURL = d.Addr, d.LogLevel, d.AlertmanagerURL
	c.InsecureNoAuth = true // a demo on your own machine
	c.linkToListener = true
	c.DataDir = d.DataDir
	if c.DataDir == "" {
		dir, err := os.MkdirTemp("", "modelwatch-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		c.DataDir = dir
	}
	return c.run(e, func(ctx context.Context, rt serveRuntime) {
		if err := d.simulate(ctx, e, rt); err != nil && ctx.Err() == nil {
			rt.log.Error("demo model service stopped", "err", err)
		}
	})
}

// checkEvery is how often the demo runs its drift checks.
func (d *demoCmd) checkEvery() time.Duration {
	return max(2*time.Second, time.Duration(float64(30*time.Second)/d.Speed))
}

func (d *demoCmd) simulate(ctx context.Context, e *env, rt serveRuntime) error {
	sim, err := demo.New(demo.Options{Endpoint: rt.url, Speed: d.Speed, DriftAfter: d.DriftAfter, Rate: d.Rate, Seed: 1, Logger: rt.log})
	if err != nil {
		return err
	}
	base := rt.url + "/api/v1/models/" + demo.ModelName + "/versions/" + demo.ModelVersion
	if err := put(ctx, base+"/reference?filename=training.csv", "text/csv", sim.Reference(5000)); err != nil {
		return fmt.Errorf("upload the demo's reference: %w", err)
	}
	// The demo runs its checks itself, often; the baseline is measured on the
	// first labelled predictions.
	settings := `{"baseline_sample": 200, "data_drift": {"schedule": "off"}, "concept_drift": {"schedule": "off"}}`
	if err := put(ctx, base+"/settings", "application/json", []byte(settings)); err != nil {
		return fmt.Errorf("configure the demo's model: %w", err)
	}
	fmt.Fprintf(e.stderr, `
modelwatch demo: a simulated churn model (%s %s) sends %g predictions a second;
its labels arrive with a delay, and after %s (simulated) its inputs and its
concept drift. Watch it:

  web UI            %s/
  metrics           %s/metrics
  statistics        %s/api/ml/predictions/stats?days=1
  model version     %s
  drift checks      %s/drift-runs   (an HTML report per data check)
  streaming alarms  %s/concept-events

Authentication is off in the demo. Stop with Ctrl-C.

`, demo.ModelName, demo.ModelVersion, d.Rate, d.DriftAfter, rt.url, rt.url, rt.url, base, base, base)

	var wg sync.WaitGroup
	wg.Go(func() {
		if err := sim.Run(ctx); err != nil {
			rt.log.Warn("demo model service", "err", err)
		}
	})
	defer wg.Wait()
	every := d.checkEvery()
	key := modelwatch.ModelKey{Name: demo.ModelName, Version: demo.ModelVersion}
	tick := time.NewTicker(every)
	defer tick.Stop()
	reported := map[string]bool{}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		now := time.Now().UTC()
		window := modelwatch.TimeRange{From: now.Add(-4 * every), To: now.Add(time.Second)}
		for _, kind := range []string{modelwatch.KindData, modelwatch.KindConcept} {
			run, err := rt.monitor.RunCheck(ctx, key, kind, window, time.Time{})
			if err != nil {
				if ctx.Err() == nil {
					rt.log.Warn("demo drift check", "kind", kind, "err", err)
				}
				continue
			}
			if run.DriftDetected && !reported[kind] {
				reported[kind] = true
				fmt.Fprintf(e.stderr, "\nmodelwatch demo: %s drift detected (run %d): %s/drift-runs/%d\n\n", kind, run.ID, base, run.ID)
			}
		}
	}
}

// put sends a PUT request to the demo's own server.
func put(ctx context.Context, url, contentType string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(msg))
	}
	return nil
}
