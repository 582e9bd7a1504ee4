package config_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alecthomas/kong"

	"github.com/modelwatch/modelwatch/internal/config"
)

// testCLI has a flag of each kind the precedence rules must hold for, as
// modelwatch's commands declare them.
type testCLI struct {
	Run struct {
		Config   config.Flag   `help:"Config file."`
		Name     string        `help:"A string." default:"default-name"`
		Verbose  bool          `help:"A bool."`
		Every    time.Duration `help:"A duration." default:"30s"`
		URL      []string      `name:"url" help:"A repeated flag." sep:","`
		Level    string        `help:"An enum." default:"info" enum:"debug,info"`
		Count    int           `help:"An int." default:"1"`
		Ratio    float64       `help:"A float." default:"0.5"`
		Param    []string      `help:"A repeated flag without a separator." sep:"none"`
		MaxCount int           `help:"A flag of two words."`
	} `cmd:""`
	Other struct {
		Config config.Flag `help:"Config file."`
		Speed  float64     `help:"Another command's flag." default:"1"`
	} `cmd:""`
	Plain struct{} `cmd:""`
}

// parse parses args as modelwatch does: every flag has a MWTEST_<FLAG>
// environment variable.
func parse(t *testing.T, args ...string) (testCLI, error) {
	t.Helper()
	var c testCLI
	p, err := kong.New(&c, kong.DefaultEnvars("MWTEST"), kong.Exit(func(int) { t.Fatal("kong exited") }))
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Parse(args)
	return c, err
}

// writeFile writes a config file into a temporary directory.
func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "modelwatch.yaml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPrecedence(t *testing.T) {
	file := writeFile(t, `
name: from-file
verbose: true
every: 1m
url: [http://file-a, http://file-b]
`)
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want func(c testCLI) (got, want any)
	}{
		// a string
		{"string default", nil, nil, func(c testCLI) (any, any) { return c.Run.Name, "default-name" }},
		{"string file", nil, []string{"--config", file}, func(c testCLI) (any, any) { return c.Run.Name, "from-file" }},
		{"string env beats file", map[string]string{"MWTEST_NAME": "from-env"}, []string{"--config", file}, func(c testCLI) (any, any) { return c.Run.Name, "from-env" }},
		{"string empty env beats file", map[string]string{"MWTEST_NAME": ""}, []string{"--config", file}, func(c testCLI) (any, any) { return c.Run.Name, "" }},
		{"string flag beats env and file", map[string]string{"MWTEST_NAME": "from-env"}, []string{"--config", file, "--name", "from-flag"}, func(c testCLI) (any, any) { return c.Run.Name, "from-flag" }},
		// a bool
		{"bool default", nil, nil, func(c testCLI) (any, any) { return c.Run.Verbose, false }},
		{"bool file", nil, []string{"--config", file}, func(c testCLI) (any, any) { return c.Run.Verbose, true }},
		{"bool env beats file", map[string]string{"MWTEST_VERBOSE": "false"}, []string{"--config", file}, func(c testCLI) (any, any) { return c.Run.Verbose, false }},
		{"bool flag beats env and file", map[string]string{"MWTEST_VERBOSE": "false"}, []string{"--verbose", "--config", file}, func(c testCLI) (any, any) { return c.Run.Verbose, true }},
		// a duration
		{"duration default", nil, nil, func(c testCLI) (any, any) { return c.Run.Every, 30 * time.Second }},
		{"duration file", nil, []string{"--config", file}, func(c testCLI) (any, any) { return c.Run.Every, time.Minute }},
		{"duration env beats file", map[string]string{"MWTEST_EVERY": "2m"}, []string{"--config", file}, func(c testCLI) (any, any) { return c.Run.Every, 2 * time.Minute }},
		{"duration flag beats env and file", map[string]string{"MWTEST_EVERY": "2m"}, []string{"--config", file, "--every", "3m"}, func(c testCLI) (any, any) { return c.Run.Every, 3 * time.Minute }},
		// a repeated flag: the winner's list replaces the others, items are not merged
		{"list default", nil, nil, func(c testCLI) (any, any) { return c.Run.URL, []string(nil) }},
		{"list file", nil, []string{"--config", file}, func(c testCLI) (any, any) { return c.Run.URL, []string{"http://file-a", "http://file-b"} }},
		{"list env beats file", map[string]string{"MWTEST_URL": "http://env-a,http://env-b"}, []string{"--config", file}, func(c testCLI) (any, any) {
			return c.Run.URL, []string{"http://env-a", "http://env-b"}
		}},
		{"list flag beats env and file", map[string]string{"MWTEST_URL": "http://env-a"}, []string{"--config", file, "--url", "http://flag-a", "--url", "http://flag-b"}, func(c testCLI) (any, any) {
			return c.Run.URL, []string{"http://flag-a", "http://flag-b"}
		}},
		// the file itself from the environment
		{"config from env", map[string]string{"MWTEST_CONFIG": file}, nil, func(c testCLI) (any, any) { return c.Run.Name, "from-file" }},
		{"empty --config is no file", map[string]string{"MWTEST_CONFIG": file}, []string{"--config="}, func(c testCLI) (any, any) { return c.Run.Name, "default-name" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			c, err := parse(t, append([]string{"run"}, tt.args...)...)
			if err != nil {
				t.Fatalf("parse %q: %v", tt.args, err)
			}
			got, want := tt.want(c)
			if !equal(got, want) {
				t.Errorf("with env %v, args %q: got %#v, want %#v", tt.env, tt.args, got, want)
			}
		})
	}
}

func equal(a, b any) bool {
	as, aok := a.([]string)
	bs, bok := b.([]string)
	if aok && bok {
		return slices.Equal(as, bs)
	}
	return a == b
}

func TestValues(t *testing.T) {
	c, err := parse(t, "run", "--config", writeFile(t, `
# every kind of value
name: "a: quoted string"
every: 90s
url: ["http://a?x=1,2", http://b]
level: debug
count: 0x10
ratio: 1e-3
param: [a=1, "b=2,3"]
`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Run.Name != "a: quoted string" || c.Run.Every != 90*time.Second || c.Run.Level != "debug" || c.Run.Count != 16 || c.Run.Ratio != 0.001 {
		t.Errorf("scalars: got %+v", c.Run)
	}
	if want := []string{"http://a?x=1,2", "http://b"}; !slices.Equal(c.Run.URL, want) {
		t.Errorf("url = %q, want %q (a separator inside an item is kept)", c.Run.URL, want)
	}
	if want := []string{"a=1", "b=2,3"}; !slices.Equal(c.Run.Param, want) {
		t.Errorf("param = %q, want %q", c.Run.Param, want)
	}

	// A single value for a list flag is read as on the command line.
	c, err = parse(t, "run", "--config", writeFile(t, "url: http://a,http://b\n"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"http://a", "http://b"}; !slices.Equal(c.Run.URL, want) {
		t.Errorf("url = %q, want %q", c.Run.URL, want)
	}

	// Empty files and files of comments set nothing.
	for _, content := range []string{"", "# nothing yet\n", "---\n"} {
		c, err := parse(t, "run", "--config", writeFile(t, content))
		if err != nil {
			t.Errorf("file %q: %v", content, err)
		} else if c.Run.Name != "default-name" {
			t.Errorf("file %q: name = %q, want the default", content, c.Run.Name)
		}
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name    string
		command string
		content string
		want    []string // every one is in the message
	}{
		{"unknown key", "run", "name: x\ntitle: y\n", []string{"modelwatch.yaml:2:", `unknown key "title"`, "has no flag --title"}},
		{"snake case", "run", "\n\nevery: 1s\n\nnot_a_flag: 1\nlevel: info\n", []string{"modelwatch.yaml:5:", `"not_a_flag"`}},
		{"snake case of a flag", "run", "count: 2\nmax_count: 1\n", []string{":2:", `unknown key "max_count"`, "keys are named like the flags: max-count"}},
		{"another command's flag", "run", "speed: 2\n", []string{":1:", `unknown key "speed"`, "run has no flag --speed"}},
		{"help", "run", "help: true\n", []string{`unknown key "help"`}},
		{"config", "run", "config: other.yaml\n", []string{`unknown key "config"`, "cannot name another"}},
		{"int", "run", "name: x\ncount: many\n", []string{"modelwatch.yaml:2: count:", `"many"`}},
		{"fraction for an int", "run", "count: 1.5\n", []string{":1: count:", `"1.5"`}},
		{"duration without unit", "run", "every: 30\n", []string{":1: every:", "missing unit"}},
		{"float", "run", "ratio: half\n", []string{":1: ratio:", `"half"`}},
		{"bool", "run", "verbose: yes\n", []string{":1: verbose: want true or false", `"yes"`}},
		{"bool list", "run", "verbose: [true]\n", []string{":1: verbose: want true or false, got a list"}},
		{"enum", "run", "level: loud\n", []string{":1: level: must be one of debug, info", `"loud"`}},
		{"list for a string", "run", "name: [a, b]\n", []string{":1: name: want a single value, got a list"}},
		{"mapping for a list", "run", "url: {a: b}\n", []string{":1: url: want a single value, got a mapping"}},
		{"mapping in a list", "run", "url:\n  - http://a\n  - {a: b}\n", []string{":1: url: item 2: want a single value, got a mapping"}},
		{"null", "run", "name:\n", []string{":1: name: no value"}},
		{"duplicate", "run", "name: a\ncount: 2\nname: b\n", []string{":3: name: given twice (first on line 1)"}},
		{"not a mapping", "run", "- name: a\n", []string{":1: want a mapping"}},
		{"syntax", "run", "name: a\n  count: 2\n", []string{"modelwatch.yaml", "line 2"}},
		{"two documents", "run", "name: a\n---\ncount: 2\n", []string{":2: a config file holds one YAML document"}},
		{"number key", "run", "1: a\n", []string{`:1: key "1": want a flag name`}},
		{"other command", "other", "name: a\n", []string{`unknown key "name"`, "other has no flag --name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse(t, tt.command, "--config", writeFile(t, tt.content))
			if err == nil {
				t.Fatalf("%q: no error", tt.content)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q: error %q does not say %q", tt.content, err, w)
				}
			}
		})
	}
}

func TestMissingFile(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.yaml")
	_, err := parse(t, "run", "--config", missing)
	if err == nil || !strings.Contains(err.Error(), missing) || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("--config %s: error %v, want one naming the missing file", missing, err)
	}
	t.Setenv("MWTEST_CONFIG", missing)
	if _, err := parse(t, "run"); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("MWTEST_CONFIG=%s: error %v, want one naming the missing file", missing, err)
	}
	// Commands without --config ignore the variable.
	if _, err := parse(t, "plain"); err != nil {
		t.Errorf("MWTEST_CONFIG=%s plain: %v, want no error", missing, err)
	}
}

// TestFileForSelectedCommand checks that a file set in the environment is
// checked against the selected command only.
func TestFileForSelectedCommand(t *testing.T) {
	t.Setenv("MWTEST_CONFIG", writeFile(t, "speed: 2\n"))
	c, err := parse(t, "other")
	if err != nil {
		t.Fatal(err)
	}
	if c.Other.Speed != 2 {
		t.Errorf("speed = %g, want 2 from the file", c.Other.Speed)
	}
	if _, err := parse(t, "run"); err == nil || !strings.Contains(err.Error(), `unknown key "speed"`) {
		t.Errorf("run with another command's file: error %v, want unknown key", err)
	}
}

func TestKeysAndLines(t *testing.T) {
	f, err := config.Parse("x.yaml", []byte("# comment\naddr: ':8080'\n\ndata-dir: d\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f.Keys(), []string{"addr", "data-dir"}; !slices.Equal(got, want) {
		t.Errorf("Keys() = %q, want %q", got, want)
	}
	if f.Line("data-dir") != 4 || f.Line("addr") != 2 || f.Line("nope") != 0 {
		t.Errorf("Line(data-dir, addr, nope) = %d, %d, %d, want 4, 2, 0", f.Line("data-dir"), f.Line("addr"), f.Line("nope"))
	}
}
