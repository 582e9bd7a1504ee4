package browsertest

import (
	"bytes"
	"context"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestPageReportsProblemsAndEvaluates(t *testing.T) {
	b := Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	p, err := b.NewPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	clean := "data:text/html," + url.PathEscape(`<!doctype html><title>ok</title><p id="x">hello</p>`)
	if err := p.Navigate(ctx, clean); err != nil {
		t.Fatal(err)
	}
	var text string
	if err := p.Eval(ctx, `document.getElementById("x").textContent`, &text); err != nil {
		t.Fatal(err)
	}
	if text != "hello" {
		t.Errorf("text = %q, want hello", text)
	}
	if probs := p.Problems(); len(probs) != 0 {
		t.Errorf("clean page problems: %q", probs)
	}
	broken := "data:text/html," + url.PathEscape(`<!doctype html><script>console.error("boom"); undefinedFn();</script>`)
	if err := p.Navigate(ctx, broken); err != nil {
		t.Fatal(err)
	}
	probs := strings.Join(p.Problems(), "\n")
	if !strings.Contains(probs, "console.error: boom") || !strings.Contains(probs, "undefinedFn") {
		t.Errorf("problems = %q, want the console error and the exception", probs)
	}
	png, err := p.Screenshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Error("screenshot is not a PNG")
	}
	if err := p.Close(ctx); err != nil {
		t.Error(err)
	}
}
