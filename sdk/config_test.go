package sdk_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/sdk"
)

func TestNewRejectsBadConfig(t *testing.T) {
	for _, tc := range []struct {
		cfg  sdk.Config
		want []string
	}{
		{sdk.Config{}, []string{"new modelwatch client: Endpoint is required"}},
		{sdk.Config{Endpoint: "localhost:8080"}, []string{`Endpoint "localhost:8080" must be an http:// or https:// URL with a host`}},
		{sdk.Config{Endpoint: "ftp://mw"}, []string{"must be an http:// or https:// URL"}},
		{sdk.Config{Endpoint: "http://mw?x=1"}, []string{"must not have a query or fragment"}},
		{sdk.Config{Endpoint: "http://mw", BatchSize: -1}, []string{"BatchSize is -1; it must be between 1 and 100000 (0 gives the default 500)"}},
		{sdk.Config{Endpoint: "http://mw", BatchSize: 100001}, []string{"BatchSize is 100001"}},
		{sdk.Config{Endpoint: "http://mw", QueueSize: -5}, []string{"QueueSize is -5"}},
		{sdk.Config{Endpoint: "http://mw", FlushInterval: -time.Second}, []string{"FlushInterval is -1s; it must be positive (0 gives the default 1s)"}},
		{sdk.Config{Endpoint: "http://mw", RequestTimeout: -1}, []string{"RequestTimeout is -1ns"}},
		{sdk.Config{Endpoint: "http://mw", MinBackoff: 2 * time.Second, MaxBackoff: time.Second}, []string{"MinBackoff (2s) is longer than MaxBackoff (1s)"}},
		{sdk.Config{Endpoint: "http://mw", Token: "two words"}, []string{"Token must be printable ASCII without spaces"}},
		{sdk.Config{BatchSize: -1, Token: "a\nb"}, []string{"Endpoint is required", "BatchSize is -1", "Token must be"}},
	} {
		c, err := sdk.New(tc.cfg)
		if err == nil {
			_ = c.Close(context.Background())
			t.Errorf("New(%+v) succeeded, want an error", tc.cfg)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("New(%+v) = %q, want it to say %q", tc.cfg, err, w)
			}
		}
	}
}

func TestNewFillsDefaults(t *testing.T) {
	c := newClient(t, sdk.Config{Endpoint: "https://modelwatch.example.com:8443/"})
	st := c.Stats()
	for _, counts := range []sdk.Counts{st.Predictions, st.GroundTruth, st.Errors} {
		if counts != (sdk.Counts{Capacity: sdk.DefaultQueueSize}) {
			t.Errorf("a new client's counts = %+v, want only the default capacity %d", counts, sdk.DefaultQueueSize)
		}
	}
	if err := c.Close(t.Context()); err != nil {
		t.Errorf("Close of an idle client: %v", err)
	}
}
