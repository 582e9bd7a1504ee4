package main

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// exampleConfig is the example configuration file in the repository.
const exampleConfig = "../../modelwatch.example.yaml"

// clearEnv unsets every MODELWATCH_* variable for the test, so that only
// the test's own settings count.
func clearEnv(t *testing.T) {
	t.Helper()
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "MODELWATCH_") {
			t.Setenv(k, "") // restored after the test
			if err := os.Unsetenv(k); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// parseCLI parses args as modelwatch does, without running the command.
func parseCLI(t *testing.T, args ...string) (cli, error) {
	t.Helper()
	var c cli
	exit := -1
	var out bytes.Buffer
	p, err := newParser(t.Context(), &c, &out, &out, &exit)
	if err != nil {
		t.Fatal(err)
	}
	_, err = parseArgs(p, args, &exit)
	if exit >= 0 {
		t.Fatalf("modelwatch %q exited with status %d:\n%s", args, exit, &out)
	}
	return c, err
}

// writeConfig writes a configuration file into a temporary directory.
func writeConfig(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "modelwatch.yaml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestExampleConfig checks modelwatch.example.yaml: every key is a flag of
// serve and its value one the flag takes, the values it sets are serve's
// defaults (as the file says), and so are the keys it shows commented out.
func TestExampleConfig(t *testing.T) {
	clearEnv(t)
	defaults, err := parseCLI(t, "serve")
	if err != nil {
		t.Fatal(err)
	}
	fromFile, err := parseCLI(t, "serve", "--config", exampleConfig)
	if err != nil {
		t.Fatalf("serve --config %s: %v", exampleConfig, err)
	}
	fromFile.Serve.Config = ""
	want, got := reflect.ValueOf(defaults.Serve), reflect.ValueOf(fromFile.Serve)
	for i := range want.NumField() {
		if !want.Type().Field(i).IsExported() {
			continue // not a flag
		}
		if !reflect.DeepEqual(want.Field(i).Interface(), got.Field(i).Interface()) {
			t.Errorf("%s sets %s to %v, but its default is %v", exampleConfig, want.Type().Field(i).Name, got.Field(i), want.Field(i))
		}
	}

	// The commented-out settings, uncommented, are valid too.
	data, err := os.ReadFile(exampleConfig)
	if err != nil {
		t.Fatal(err)
	}
	key := regexp.MustCompile(`^# ([a-z][a-z0-9-]*:.*)$`)
	item := regexp.MustCompile(`^#(\s+- .*)$`)
	var lines, commented []string
	inList := false
	for line := range strings.Lines(string(data)) {
		line = strings.TrimRight(line, "\n")
		switch m, it := key.FindStringSubmatch(line), item.FindStringSubmatch(line); {
		case m != nil:
			lines = append(lines, m[1])
			k, v, _ := strings.Cut(m[1], ":")
			commented = append(commented, k)
			inList = strings.TrimSpace(v) == ""
		case it != nil && inList:
			lines = append(lines, it[1])
		default:
			lines = append(lines, line)
			inList = false
		}
	}
	if len(commented) < 5 {
		t.Fatalf("found %d commented-out settings (%q) in %s; has the format of the file changed?", len(commented), commented, exampleConfig)
	}
	uncommented := writeConfig(t, strings.Join(lines, "\n"))
	c, err := parseCLI(t, "serve", "--config", uncommented)
	if err != nil {
		t.Fatalf("%s with its settings uncommented (%q): %v", exampleConfig, commented, err)
	}
	if len(c.Serve.AlertmanagerURL) != 2 {
		t.Errorf("uncommented alertmanager-url = %q, want the example's two URLs", c.Serve.AlertmanagerURL)
	}
}

// TestREADMEConfig checks that the example in README.md's Configuration
// section is a valid file for serve.
func TestREADMEConfig(t *testing.T) {
	clearEnv(t)
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(data), "\n## Configuration\n")
	_, block, ok := strings.Cut(section, "\n```yaml\n")
	block, _, closed := strings.Cut(block, "\n```\n")
	if !ok || !closed {
		t.Fatal("README.md's Configuration section has no yaml block")
	}
	c, err := parseCLI(t, "serve", "--config", writeConfig(t, block))
	if err != nil {
		t.Fatalf("README.md's example: %v", err)
	}
	if c.Serve.DataDir != "/var/lib/modelwatch" || len(c.Serve.AlertmanagerURL) != 2 {
		t.Errorf("README.md's example: data-dir %q, alertmanager-url %q", c.Serve.DataDir, c.Serve.AlertmanagerURL)
	}
}

// TestServeConfigPrecedence checks flags > environment > file > defaults
// on serve's own flags: a string, a bool, a duration and a repeated flag.
func TestServeConfigPrecedence(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	file := writeConfig(t, `
data-dir: `+filepath.Join(dir, "file")+`
metrics-public: true
check-interval: 1m
alertmanager-url:
  - http://file-a:9093
  - http://file-b:9093
`)
	type settings struct {
		DataDir         string
		MetricsPublic   bool
		CheckInterval   time.Duration
		AlertmanagerURL []string
	}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want settings
	}{
		{"defaults", nil, nil, settings{must(filepath.Abs("modelwatch-data")), false, 30 * time.Second, nil}},
		{"file", nil, []string{"--config", file}, settings{filepath.Join(dir, "file"), true, time.Minute, []string{"http://file-a:9093", "http://file-b:9093"}}},
		{
			"environment beats file",
			map[string]string{
				"MODELWATCH_CONFIG": file, "MODELWATCH_DATA_DIR": filepath.Join(dir, "env"), "MODELWATCH_METRICS_PUBLIC": "false",
				"MODELWATCH_CHECK_INTERVAL": "2m", "MODELWATCH_ALERTMANAGER_URL": "http://env:9093",
			},
			nil,
			settings{filepath.Join(dir, "env"), false, 2 * time.Minute, []string{"http://env:9093"}},
		},
		{
			"flags beat environment and file",
			map[string]string{
				"MODELWATCH_DATA_DIR": filepath.Join(dir, "env"), "MODELWATCH_METRICS_PUBLIC": "false",
				"MODELWATCH_CHECK_INTERVAL": "2m", "MODELWATCH_ALERTMANAGER_URL": "http://env:9093",
			},
			[]string{
				"--config", file, "--data-dir", filepath.Join(dir, "flag"), "--metrics-public", "--check-interval", "3m",
				"--alertmanager-url", "http://flag-a:9093", "--alertmanager-url", "http://flag-b:9093",
			},
			settings{filepath.Join(dir, "flag"), true, 3 * time.Minute, []string{"http://flag-a:9093", "http://flag-b:9093"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			c, err := parseCLI(t, append([]string{"serve"}, tt.args...)...)
			if err != nil {
				t.Fatal(err)
			}
			got := settings{c.Serve.DataDir, c.Serve.MetricsPublic, c.Serve.CheckInterval, c.Serve.AlertmanagerURL}
			if got.DataDir != tt.want.DataDir || got.MetricsPublic != tt.want.MetricsPublic ||
				got.CheckInterval != tt.want.CheckInterval || !slices.Equal(got.AlertmanagerURL, tt.want.AlertmanagerURL) {
				t.Errorf("serve %q with %v:\n got %+v\nwant %+v", tt.args, tt.env, got, tt.want)
			}
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestDemoConfig(t *testing.T) {
	clearEnv(t)
	c, err := parseCLI(t, "demo", "--config", writeConfig(t, "speed: 4\ndrift-after: 1m\nalertmanager-url: [http://am:9093]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Demo.Speed != 4 || c.Demo.DriftAfter != time.Minute || !slices.Equal(c.Demo.AlertmanagerURL, []string{"http://am:9093"}) {
		t.Errorf("demo from the file: speed %g, drift-after %s, alertmanager-url %q", c.Demo.Speed, c.Demo.DriftAfter, c.Demo.AlertmanagerURL)
	}
	// serve's example is not a demo's file: the demo has no --db-max-conns.
	_, err = parseCLI(t, "demo", "--config", exampleConfig)
	if err == nil || !strings.Contains(err.Error(), "modelwatch demo has no flag") {
		t.Errorf("demo --config %s: error %v, want an unknown key", exampleConfig, err)
	}
}

// TestConfigErrors runs modelwatch with bad configuration files: it stops
// before doing anything, naming the file, the line and the key.
func TestConfigErrors(t *testing.T) {
	clearEnv(t)
	missing := filepath.Join(t.TempDir(), "missing.yaml")
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string // "" for no error
	}{
		{"unknown key", nil, []string{"serve", "--config", writeConfig(t, "addr: ':0'\nwindw-size: 10\n")}, `modelwatch.yaml:2: unknown key "windw-size": modelwatch serve has no flag --windw-size`},
		{"wrong type", nil, []string{"serve", "--config", writeConfig(t, "\nwindow-size: ten\n")}, `modelwatch.yaml:2: window-size: expected a valid 64 bit int but got "ten"`},
		{"duration without unit", nil, []string{"serve", "--config", writeConfig(t, "check-interval: 30\n")}, "modelwatch.yaml:1: check-interval:"},
		{"missing file", nil, []string{"serve", "--config", missing}, missing + ": no such file"},
		{"missing file from the environment", map[string]string{"MODELWATCH_CONFIG": missing}, []string{"serve"}, missing + ": no such file"},
		{"commands without --config ignore it", map[string]string{"MODELWATCH_CONFIG": missing}, []string{"version"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var out bytes.Buffer
			err := run(t.Context(), tt.args, &out, &out)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("modelwatch %q: %v", tt.args, err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("modelwatch %q: error %v, want %q", tt.args, err, tt.want)
			}
		})
	}
}

// TestServeConfigFile starts modelwatch serve with a configuration file and
// checks that its settings took effect, and that the environment and flags
// still win over it.
func TestServeConfigFile(t *testing.T) {
	clearEnv(t)
	fileDir, flagDir := t.TempDir(), t.TempDir()
	file := writeConfig(t, `
addr: "127.0.0.1:0"
data-dir: `+fileDir+`
log-format: json
insecure-no-auth: true
`)
	s := startCommand(t, "serve", "--config", file)
	if !strings.Contains(s.stderr.String(), `"msg":"listening"`) {
		t.Errorf("log-format: json from the file was not used:\n%s", s.stderr)
	}
	resp, err := http.Get(s.url + "/api/ml/predictions/stats") // no token
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /api/ml/predictions/stats without a token: %d, want 200 (insecure-no-auth: true from the file)", resp.StatusCode)
	}
	s.stop()
	if _, err := os.Stat(filepath.Join(fileDir, "modelwatch.db")); err != nil {
		t.Errorf("data-dir from the file was not used: %v", err)
	}

	t.Setenv("MODELWATCH_LOG_FORMAT", "text")
	s = startCommand(t, "serve", "--config", file, "--data-dir", flagDir)
	if !strings.Contains(s.stderr.String(), "msg=listening") {
		t.Errorf("MODELWATCH_LOG_FORMAT=text did not win over the file:\n%s", s.stderr)
	}
	s.stop()
	if _, err := os.Stat(filepath.Join(flagDir, "modelwatch.db")); err != nil {
		t.Errorf("--data-dir did not win over the file: %v", err)
	}
}
