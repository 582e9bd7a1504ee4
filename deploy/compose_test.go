package deploy

import (
	"bufio"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const (
	composeFile            = "docker-compose.yml"
	grafanaDashboardsMount = "/etc/grafana/dashboards/modelwatch"
)

type composeService struct {
	Image string `yaml:"image"`
	Build *struct {
		Context    string `yaml:"context"`
		Dockerfile string `yaml:"dockerfile"`
	} `yaml:"build"`
	Command     []string          `yaml:"command"`
	Environment map[string]string `yaml:"environment"`
	Ports       []string          `yaml:"ports"`
	Volumes     []string          `yaml:"volumes"`
	DependsOn   []string          `yaml:"depends_on"`
}

type composeFileModel struct {
	Services map[string]composeService `yaml:"services"`
	Volumes  map[string]any            `yaml:"volumes"`
}

// mounts maps each container path of a service's volumes to its source:
// a path relative to deploy/ for bind mounts, the volume name otherwise.
func mounts(s composeService) map[string]string {
	m := map[string]string{}
	for _, v := range s.Volumes {
		parts := strings.Split(v, ":")
		if len(parts) >= 2 {
			m[parts[1]] = parts[0]
		}
	}
	return m
}

func flagValue(args []string, name string) string {
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return v
		}
	}
	return ""
}

// The Compose stack brings up the four programs with the files of this
// directory provisioned; everything it references exists, and the addresses
// in the configurations match its service names and ports.
func TestComposeFile(t *testing.T) {
	var c composeFileModel
	readYAML(t, composeFile, &c)
	for _, name := range []string{"modelwatch", "prometheus", "alertmanager", "grafana"} {
		if _, ok := c.Services[name]; !ok {
			t.Errorf("%s has no service %q", composeFile, name)
		}
	}
	for name, s := range c.Services {
		if s.Build == nil {
			// Images are pinned to a release.
			if !regexp.MustCompile(`^[a-z0-9./-]+:v?[0-9]+\.[0-9]+\.[0-9]+$`).MatchString(s.Image) {
				t.Errorf("service %s: image %q is not pinned to a release", name, s.Image)
			}
		}
		for target, src := range mounts(s) {
			if strings.HasPrefix(src, ".") {
				if _, err := os.Stat(src); err != nil {
					t.Errorf("service %s mounts %s, which does not exist: %v", name, src, err)
				}
			} else if _, ok := c.Volumes[src]; !ok {
				t.Errorf("service %s mounts volume %q on %s, which is not declared", name, src, target)
			}
		}
		for _, d := range s.DependsOn {
			if _, ok := c.Services[d]; !ok {
				t.Errorf("service %s depends on unknown service %q", name, d)
			}
		}
	}

	mw := c.Services["modelwatch"]
	if mw.Build == nil {
		t.Fatalf("service modelwatch is not built from the repository")
	}
	if _, err := os.Stat(filepath.Join(mw.Build.Context, mw.Build.Dockerfile)); err != nil {
		t.Errorf("modelwatch build: %v", err)
	}
	if len(mw.Command) == 0 || mw.Command[0] != "serve" {
		t.Errorf("modelwatch command %v does not run serve", mw.Command)
	}
	mwAddr := flagValue(mw.Command, "--addr")
	if !slices.Contains(mw.Ports, strings.TrimPrefix(mwAddr, ":")+":"+strings.TrimPrefix(mwAddr, ":")) {
		t.Errorf("modelwatch listens on %q but publishes %v", mwAddr, mw.Ports)
	}
	if am := mw.Environment["MODELWATCH_ALERTMANAGER_URL"]; am != "http://alertmanager:9093" {
		t.Errorf("modelwatch posts alerts to %q, want http://alertmanager:9093", am)
	}

	// Prometheus: loads prometheus.yml and the rules next to it, scrapes
	// modelwatch at its service address and sends to the alertmanager
	// service.
	pm := mounts(c.Services["prometheus"])
	cfg := flagValue(c.Services["prometheus"].Command, "--config.file")
	if pm[cfg] != "./prometheus/prometheus.yml" {
		t.Errorf("prometheus --config.file=%s is not the mounted prometheus/prometheus.yml (%v)", cfg, pm)
	}
	if pm[filepath.Join(filepath.Dir(cfg), "alerts")] != "./prometheus/alerts" {
		t.Errorf("prometheus/alerts is not mounted beside %s, where rule_files expects it (%v)", cfg, pm)
	}
	var pc struct {
		RuleFiles []string `yaml:"rule_files"`
		Alerting  struct {
			Alertmanagers []struct {
				StaticConfigs []struct {
					Targets []string `yaml:"targets"`
				} `yaml:"static_configs"`
			} `yaml:"alertmanagers"`
		} `yaml:"alerting"`
		ScrapeConfigs []struct {
			JobName       string `yaml:"job_name"`
			StaticConfigs []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
		} `yaml:"scrape_configs"`
	}
	readYAML(t, "prometheus/prometheus.yml", &pc)
	if !slices.Equal(pc.RuleFiles, []string{"alerts/*.yml"}) {
		t.Errorf("prometheus.yml rule_files %v, want [alerts/*.yml]", pc.RuleFiles)
	}
	scrapes := map[string][]string{}
	for _, s := range pc.ScrapeConfigs {
		for _, sc := range s.StaticConfigs {
			scrapes[s.JobName] = append(scrapes[s.JobName], sc.Targets...)
		}
	}
	if want := "modelwatch" + mwAddr; !slices.Equal(scrapes["modelwatch"], []string{want}) {
		t.Errorf("job modelwatch scrapes %v, want [%s] (the rules select job=\"modelwatch\")", scrapes["modelwatch"], want)
	}
	if len(pc.Alerting.Alertmanagers) != 1 || len(pc.Alerting.Alertmanagers[0].StaticConfigs) != 1 ||
		!slices.Equal(pc.Alerting.Alertmanagers[0].StaticConfigs[0].Targets, []string{"alertmanager:9093"}) {
		t.Errorf("prometheus.yml does not send alerts to alertmanager:9093: %+v", pc.Alerting)
	}

	// Alertmanager: its configuration, templates beside it and secrets
	// where the configuration reads them.
	am := c.Services["alertmanager"]
	amm := mounts(am)
	amCfg := flagValue(am.Command, "--config.file")
	if amm[amCfg] != "./"+amConfig {
		t.Errorf("alertmanager --config.file=%s is not the mounted %s (%v)", amCfg, amConfig, amm)
	}
	if amm[filepath.Join(filepath.Dir(amCfg), "templates")] != "./alertmanager/templates" {
		t.Errorf("alertmanager/templates is not mounted beside %s (%v)", amCfg, amm)
	}
	if amm["/etc/alertmanager/secrets"] != "./alertmanager/secrets" {
		t.Errorf("alertmanager/secrets is not mounted on /etc/alertmanager/secrets (%v)", amm)
	}
	if !slices.Contains(am.Ports, "9093:9093") {
		t.Errorf("alertmanager does not publish 9093: %v", am.Ports)
	}

	// Grafana: provisioning and dashboards.
	gm := mounts(c.Services["grafana"])
	for target, src := range map[string]string{
		"/etc/grafana/provisioning/datasources": "./grafana/provisioning/datasources",
		"/etc/grafana/provisioning/dashboards":  "./grafana/provisioning/dashboards",
		grafanaDashboardsMount:                  "./grafana/dashboards",
	} {
		if gm[target] != src {
			t.Errorf("grafana: %s is not mounted on %s (%v)", src, target, gm)
		}
	}
	home := c.Services["grafana"].Environment["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
	if home != filepath.Join(grafanaDashboardsMount, filepath.Base(dashboardFile)) {
		t.Errorf("grafana home dashboard %q is not the mounted %s", home, dashboardFile)
	}
	if !slices.Contains(c.Services["prometheus"].Ports, "9090:9090") || !slices.Contains(c.Services["grafana"].Ports, "3000:3000") {
		t.Errorf("prometheus or grafana port not published")
	}
}

// dockerfile is the repository's Dockerfile as stages of instructions.
type dockerStage struct {
	from  string
	lines []string // instructions, continuation lines joined
}

func readDockerfile(t *testing.T) (args map[string]string, stages []dockerStage) {
	t.Helper()
	f, err := os.Open(filepath.Join(repoRoot(t), "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	args = map[string]string{}
	var cur strings.Builder
	sc := bufio.NewScanner(f)
	var instrs []string
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if s, ok := strings.CutSuffix(l, "\\"); ok {
			cur.WriteString(s + " ")
			continue
		}
		cur.WriteString(l)
		instrs = append(instrs, cur.String())
		cur.Reset()
	}
	for _, in := range instrs {
		switch {
		case strings.HasPrefix(in, "FROM "):
			stages = append(stages, dockerStage{from: strings.Fields(in)[1]})
		case strings.HasPrefix(in, "ARG ") && len(stages) == 0:
			k, v, _ := strings.Cut(strings.TrimPrefix(in, "ARG "), "=")
			args[k] = v
		case len(stages) > 0:
			stages[len(stages)-1].lines = append(stages[len(stages)-1].lines, in)
		}
	}
	return args, stages
}

// The image is a static CGO_ENABLED=0 build of ./cmd/modelwatch on a
// distroless (or scratch) base, running as non-root.
func TestDockerfile(t *testing.T) {
	args, stages := readDockerfile(t)
	if len(stages) < 2 {
		t.Fatalf("want a build stage and a runtime stage, got %d stages", len(stages))
	}
	build, final := stages[0], stages[len(stages)-1]
	if !strings.HasPrefix(build.from, "golang:${GO_VERSION}") {
		t.Errorf("build stage FROM %s, want golang:${GO_VERSION}-…", build.from)
	}
	if !regexp.MustCompile(`^1\.\d+\.\d+$`).MatchString(args["GO_VERSION"]) {
		t.Errorf("GO_VERSION %q is not a pinned Go release", args["GO_VERSION"])
	}
	if !strings.HasPrefix(final.from, "gcr.io/distroless/static") && final.from != "scratch" {
		t.Errorf("runtime stage FROM %s, want distroless static or scratch", final.from)
	}
	all := strings.Join(build.lines, "\n")
	if !regexp.MustCompile(`(?m)^ENV .*CGO_ENABLED=0`).MatchString(all) {
		t.Errorf("build stage does not set CGO_ENABLED=0")
	}
	if goBuild(t, nil) == "" {
		t.Errorf("build stage has no go build of ./cmd/modelwatch")
	}
	fin := strings.Join(final.lines, "\n")
	if m := regexp.MustCompile(`(?m)^USER (\S+)`).FindStringSubmatch(fin); m == nil || strings.HasPrefix(m[1], "0") || m[1] == "root" {
		t.Errorf("runtime stage does not run as a non-root user")
	}
	if !strings.Contains(fin, `ENTRYPOINT ["/modelwatch"]`) {
		t.Errorf("runtime stage entrypoint is not /modelwatch")
	}
	if !strings.Contains(fin, `CMD ["serve"`) {
		t.Errorf("runtime stage does not run serve by default")
	}

	ignore, err := os.ReadFile(filepath.Join(repoRoot(t), ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(ignore), "\n") {
		if strings.TrimSpace(l) == "go.mod" || strings.TrimSpace(l) == "go.sum" || strings.TrimSpace(l) == "cmd" {
			t.Errorf(".dockerignore excludes %s, which the build needs", l)
		}
	}
}

// goBuild returns the Dockerfile's go build command line, with the build
// arguments filled in: set ones from set, the others from their defaults.
func goBuild(t *testing.T, set map[string]string) string {
	t.Helper()
	args, stages := readDockerfile(t)
	for _, l := range stages[0].lines {
		_, cmd, ok := strings.Cut(l, "go build ")
		if !ok || !strings.Contains(cmd, "./cmd/modelwatch") {
			continue
		}
		cmd, _, _ = strings.Cut(cmd, " && ")
		for _, in := range stages[0].lines {
			if a, ok := strings.CutPrefix(in, "ARG "); ok {
				k, v, _ := strings.Cut(a, "=")
				args[k] = v
			}
		}
		for k, v := range set {
			args[k] = v
		}
		return os.Expand(cmd, func(k string) string { return args[k] })
	}
	return ""
}

// Running the Dockerfile's build command here gives a static binary (no
// ELF interpreter, no shared libraries) that runs and knows its version,
// and whose serve command accepts the flags the image and Compose pass.
func TestDockerBuildIsStatic(t *testing.T) {
	if testing.Short() {
		t.Skip("builds modelwatch; skipped with -short")
	}
	cmd := goBuild(t, map[string]string{"VERSION": "v9.9.9-test", "COMMIT": "abc1234"})
	if cmd == "" {
		t.Fatal("no go build command in the Dockerfile")
	}
	out := filepath.Join(t.TempDir(), "modelwatch")
	var buildArgs []string
	fields := shellFields(cmd)
	for i := 0; i < len(fields); i++ {
		if fields[i] == "-o" {
			i++ // replaced by a temporary path
			continue
		}
		buildArgs = append(buildArgs, fields[i])
	}
	goProg, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go is not on PATH: %v", err)
	}
	full := append([]string{"build", "-o", out}, buildArgs...)
	c := exec.Command(goProg, full...)
	c.Dir = repoRoot(t)
	c.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-buildvcs=false")
	if b, err := c.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(full, " "), err, b)
	}

	f, err := elf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("binary has a %v program header: not static", p.Type)
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("binary needs shared libraries %v", libs)
	}

	v, err := run(t, ".", out, "version")
	if err != nil || !strings.HasPrefix(v, "modelwatch v9.9.9-test (commit abc1234)") {
		t.Errorf("modelwatch version = %q (%v), want the VERSION and COMMIT build arguments", v, err)
	}

	// The flags the image and the Compose stack pass to serve exist.
	help, err := run(t, ".", out, "serve", "--help")
	if err != nil {
		t.Fatalf("modelwatch serve --help: %v\n%s", err, help)
	}
	var c2 composeFileModel
	readYAML(t, composeFile, &c2)
	for _, a := range c2.Services["modelwatch"].Command[1:] {
		name, _, _ := strings.Cut(a, "=")
		if !strings.Contains(help, name) {
			t.Errorf("docker-compose.yml passes %s, which modelwatch serve does not have", name)
		}
	}
}

// shellFields splits a command line on spaces, keeping double-quoted parts
// together and dropping the quotes: enough for the Dockerfile's go build.
func shellFields(s string) []string {
	var fields []string
	var cur strings.Builder
	quoted, inField := false, false
	for _, r := range s {
		switch {
		case r == '"':
			quoted, inField = !quoted, true
		case r == ' ' && !quoted:
			if inField {
				fields = append(fields, cur.String())
				cur.Reset()
				inField = false
			}
		default:
			cur.WriteRune(r)
			inField = true
		}
	}
	if inField {
		fields = append(fields, cur.String())
	}
	return fields
}
