package monitor

import "testing"

func TestVersionText(t *testing.T) {
	for v, want := range map[string]string{
		"1.2.0": "v1.2.0", "v3": "v3", "V2.1": "V2.1", "v": "vv", "vnext": "vvnext", "2026-11-01": "v2026-11-01", "": "v",
	} {
		if got := versionText(v); got != want {
			t.Errorf("versionText(%q) = %q, want %q", v, got, want)
		}
	}
}
