// Package browsertest drives a real headless Chromium over the Chrome
// DevTools Protocol, for tests that must see a page as a browser renders
// it: console errors, the DOM after layout, screenshots.
//
// It has no dependencies: a small WebSocket client (websocket.go) carries
// the protocol's JSON messages (cdp.go). Start launches Chromium with a
// throwaway profile and no background networking; Require does the same
// for a test, skipping it when Chromium is not installed (Debian package
// "chromium"), or failing it when the CI environment variable is true.
// SaveArtifact keeps screenshots for CI to collect.
package browsertest
