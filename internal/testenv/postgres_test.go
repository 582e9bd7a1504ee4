package testenv

import (
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestStartPostgres(t *testing.T) {
	pg := StartPostgres(t, PostgresOptions{})
	url := pg.NewDatabase(t)
	if !strings.Contains(url, "/test_1?") {
		t.Errorf("first database URL = %q, want database test_1", url)
	}
	out, err := exec.Command(filepath.Join(pg.bin, "psql"), "-h", "127.0.0.1", "-p", strconv.Itoa(pg.Port), "-U", "postgres",
		"-d", "test_1", "-At", "-c", "SELECT current_setting('server_version_num')::int >= 150000, current_setting('lc_collate')").CombinedOutput()
	if err != nil {
		t.Fatalf("psql: %v\n%s\n%s", err, out, pg.Log())
	}
	if got := strings.TrimSpace(string(out)); got != "t|C" {
		t.Errorf("server answered %q, want PostgreSQL ≥ 15 with the C locale", got)
	}
}
