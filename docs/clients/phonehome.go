// SPDX-License-Identifier: MIT-0. Copy this file into your SDK as it is: no notice or attribution is needed.

// Package phonehome sends telemetry events in the background, gzipped, in batches, with a
// 3-second timeout; it never panics or returns errors into the host program. DO_NOT_TRACK=1 or
// one of the product's own switches turns it off (then nothing is sent and no file is written).
// A state file keeps the random install id, whether the first-run notice was shown, and the last
// check's settings, fetched at most once a day and honoured (fail open: unreachable means the
// last or default settings). PHONEHOME_DEBUG=1 prints the server's answers on stderr.
package phonehome

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	timeout     = 3 * time.Second
	maxAttempts = 3
	checkEvery  = 24 * time.Hour
)

// ciVars: the CI's name (the `ci` preset) when every variable is set (VAR) or equal (VAR=value);
// first match wins. From ci-info's vendors.json (docs/PROTOCOL.md, "CI detection").
var ciVars = [][2]string{
	{"github_actions", "GITHUB_ACTIONS"}, {"gitlab", "GITLAB_CI"}, {"circleci", "CIRCLECI"},
	{"travis", "TRAVIS"}, {"jenkins", "JENKINS_URL BUILD_ID"}, {"buildkite", "BUILDKITE"},
	{"azure_pipelines", "TF_BUILD"}, {"bitbucket", "BITBUCKET_COMMIT"}, {"teamcity", "TEAMCITY_VERSION"},
	{"appveyor", "APPVEYOR"}, {"drone", "DRONE"}, {"codebuild", "CODEBUILD_BUILD_ARN"},
	{"google_cloud_build", "BUILDER_OUTPUT"}, {"bamboo", "bamboo_planKey"}, {"semaphore", "SEMAPHORE"},
	{"woodpecker", "CI=woodpecker"}, {"buddy", "BUDDY_WORKSPACE_ID"}, {"codemagic", "CM_BUILD_ID"},
	{"netlify", "NETLIFY"}, {"vercel", "NOW_BUILDER"}, {"vercel", "VERCEL"}, {"heroku", "HEROKU_TEST_RUN_ID"},
}

// DetectCI names the CI the process runs in, "unknown" for an unnamed one, "none" outside CI.
func DetectCI() string {
	if ci := strings.ToLower(os.Getenv("CI")); ci == "false" || ci == "0" {
		return "none"
	}
	for _, entry := range ciVars {
		all := true
		for _, spec := range strings.Fields(entry[1]) {
			name, value, exact := strings.Cut(spec, "=")
			all = all && os.Getenv(name) != "" && (!exact || os.Getenv(name) == value)
		}
		if all {
			return entry[0]
		}
	}
	if os.Getenv("CI") != "" || os.Getenv("CONTINUOUS_INTEGRATION") != "" {
		return "unknown"
	}
	return "none"
}

// A switch named like NO_/DISABLE/OPTOUT/DO_NOT_TRACK opts out when true (1, true, yes, on);
// one named like MYTOOL_TELEMETRY opts out when false (0, false, no, off).
var offStyle = regexp.MustCompile(`(?i)DISABLE|OPT_?OUT|(^|_)NO_|DO_NOT_TRACK`)

// OptedOut says whether DO_NOT_TRACK or one of the product's switches turns telemetry off.
func OptedOut(switches []string) bool {
	for _, name := range append([]string{"DO_NOT_TRACK"}, switches...) {
		value := strings.ToLower(strings.TrimSpace(os.Getenv(name)))
		offValues := []string{"0", "false", "no", "off"}
		if offStyle.MatchString(name) {
			offValues = []string{"1", "true", "yes", "on"}
		}
		if slices.Contains(offValues, value) {
			return true
		}
	}
	return false
}

var versionPattern = regexp.MustCompile(`^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(-)?`)

func versionKey(version string) []int {
	m := versionPattern.FindStringSubmatch(version)
	if m == nil {
		return nil
	}
	key := []int{0, 0, 0, 1}
	for i := 1; i <= 3; i++ {
		key[i-1], _ = strconv.Atoi(m[i])
	}
	if m[4] != "" {
		key[3] = 0 // a pre-release comes before its release
	}
	return key
}

// older is true only when both parse and version < minimum: an unreadable version fails open.
func older(version string, minimum *string) bool {
	if minimum == nil {
		return false
	}
	mine, least := versionKey(version), versionKey(*minimum)
	return mine != nil && least != nil && slices.Compare(mine, least) < 0
}

func debug(format string, args ...any) {
	switch strings.ToLower(os.Getenv("PHONEHOME_DEBUG")) {
	case "1", "true", "yes":
		fmt.Fprintf(os.Stderr, "phonehome: "+format+"\n", args...)
	}
}

type rule struct {
	Enabled    *bool   `json:"enabled,omitempty"`
	MinVersion *string `json:"min_version,omitempty"`
}

type settings struct {
	rule
	Events map[string]rule `json:"events,omitempty"`
}

type state struct {
	InstallID       string    `json:"install_id"`
	NoticeShown     bool      `json:"notice_shown"`
	CheckedAt       int64     `json:"checked_at"`
	AdvisoriesShown []string  `json:"advisories_shown,omitempty"`
	Settings        *settings `json:"settings"`
}

type Telemetry struct {
	Product  string
	Version  string // the SDK's own: compared with the settings' min_version
	Endpoint string // e.g. https://t.example.com
	off      bool
	ci       string
	path     string
	state    state
	client   http.Client
	mu       sync.Mutex // guards queue and state
	checking sync.Mutex // one check at a time
	queue    []map[string]any
	wg       sync.WaitGroup
}

// New reads (or starts) the state file and shows the first-run notice; optOutEnv are the
// product's own switches (names of environment variables).
func New(product, version, endpoint string, optOutEnv ...string) *Telemetry {
	t := &Telemetry{Product: product, Version: version, Endpoint: strings.TrimRight(endpoint, "/"),
		client: http.Client{Timeout: timeout}, off: OptedOut(optOutEnv)}
	if t.off {
		return t // no state file, no notice, nothing sent
	}
	t.ci = DetectCI()
	dir := os.Getenv("PHONEHOME_STATE_DIR")
	if dir == "" {
		config := os.Getenv("XDG_CONFIG_HOME")
		if config == "" {
			home, _ := os.UserHomeDir()
			config = filepath.Join(home, ".config")
		}
		dir = filepath.Join(config, product)
	}
	t.path = filepath.Join(dir, "telemetry.json")
	var fields map[string]json.RawMessage
	if text, err := os.ReadFile(t.path); err == nil && json.Unmarshal(text, &fields) == nil {
		// Field by field: a value of the wrong type (another kit's, or a hand's) is dropped; the id is kept.
		for key, into := range map[string]any{"install_id": &t.state.InstallID, "notice_shown": &t.state.NoticeShown,
			"checked_at": &t.state.CheckedAt, "advisories_shown": &t.state.AdvisoriesShown, "settings": &t.state.Settings} {
			_ = json.Unmarshal(fields[key], into)
		}
	}
	if !validUUID(t.state.InstallID) {
		t.state = state{InstallID: newUUID()} // none yet, or unreadable: start fresh
	}
	if !t.state.NoticeShown {
		switches := ""
		for _, name := range optOutEnv {
			if offStyle.MatchString(name) {
				switches += " or " + name + "=1"
			} else {
				switches += " or " + name + "=off"
			}
		}
		fmt.Fprintf(os.Stderr, "%s sends anonymous usage telemetry: a random install id, versions, platform and CI name, "+
			"never personal data. What is collected and kept: %s/ . To turn it off, set DO_NOT_TRACK=1%s.\n", product, t.Endpoint, switches)
		t.state.NoticeShown = true
	}
	t.save()
	return t
}

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$`)

func validUUID(id string) bool { return uuidPattern.MatchString(id) }

func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// save writes the state whole or not at all (a rename), even with two processes; callers hold mu
// or own t alone.
func (t *Telemetry) save() {
	text, err := json.Marshal(t.state)
	if err != nil || os.MkdirAll(filepath.Dir(t.path), 0o755) != nil {
		return
	}
	temporary := fmt.Sprintf("%s.%d.tmp", t.path, os.Getpid())
	if os.WriteFile(temporary, text, 0o644) == nil {
		_ = os.Rename(temporary, t.path)
	}
}

// Track queues one event; fields are the event's own, as the catalogue declares them.
func (t *Telemetry) Track(event string, fields map[string]any) {
	if t.off {
		return
	}
	e := map[string]any{"product": t.Product, "event": event, "install_id": t.state.InstallID, "ci": t.ci}
	for k, v := range fields {
		e[k] = v
	}
	t.mu.Lock()
	t.queue = append(t.queue, e)
	t.mu.Unlock()
}

// Flush sends what is queued in the background.
func (t *Telemetry) Flush() {
	t.mu.Lock()
	events := t.queue
	t.queue = nil
	t.mu.Unlock()
	if len(events) == 0 {
		return
	}
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		defer func() { _ = recover() }() // telemetry must never take the program down
		t.send(events)
	}()
}

// Close flushes and waits for the sends, at most the timeout.
func (t *Telemetry) Close() {
	t.Flush()
	done := make(chan struct{})
	go func() { t.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(timeout):
	}
}

// Check fetches the check answer when the last is a day old; keeps the last settings when it fails.
func (t *Telemetry) Check() {
	t.checking.Lock()
	defer t.checking.Unlock()
	t.mu.Lock()
	due := time.Since(time.Unix(t.state.CheckedAt, 0)) >= checkEvery
	t.mu.Unlock()
	if !due {
		return
	}
	query := url.Values{"version": {t.Version}, "ci": {t.ci}}.Encode()
	status, body, _, ok := t.request(http.MethodGet, "/v1/"+t.Product+"/check?"+query, nil)
	if !ok {
		return // unreachable: try again next run
	}
	var answer struct {
		Settings   *settings `json:"settings"`
		Advisories []struct{ ID, Level, Message, URL string }
	}
	if status != http.StatusOK || json.Unmarshal(body, &answer) != nil {
		answer.Settings, answer.Advisories = nil, nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.state.CheckedAt = time.Now().Unix()
	if answer.Settings != nil {
		t.state.Settings = answer.Settings
	}
	for _, a := range answer.Advisories {
		if (a.Level == "warning" || a.Level == "critical") && !slices.Contains(t.state.AdvisoriesShown, a.ID) {
			fmt.Fprintf(os.Stderr, "%s %s advisory: %s %s\n", t.Product, a.Level, a.Message, a.URL)
			t.state.AdvisoriesShown = append(t.state.AdvisoriesShown, a.ID)
		}
	}
	t.save()
}

func (t *Telemetry) allowed(event string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.state.Settings == nil {
		return true
	}
	// An event listed under "events" carries all its values (its product's where it sets none).
	r, listed := t.state.Settings.Events[event]
	if !listed {
		r = t.state.Settings.rule
	}
	return (r.Enabled == nil || *r.Enabled) && !older(t.Version, r.MinVersion)
}

func (t *Telemetry) send(queued []map[string]any) {
	t.Check()
	var events []map[string]any
	for _, e := range queued {
		if name, _ := e["event"].(string); t.allowed(name) {
			events = append(events, e)
		}
	}
	if len(events) == 0 {
		debug("nothing sent: the server's settings turn these events off")
		return
	}
	payload, err := json.Marshal(map[string]any{"sent_at": time.Now().UTC().Format(time.RFC3339Nano), "events": events})
	if err != nil {
		return
	}
	var body bytes.Buffer
	zw := gzip.NewWriter(&body)
	_, _ = zw.Write(payload)
	_ = zw.Close()
	for attempt := 0; attempt < maxAttempts; attempt++ {
		wait, again := t.post(body.Bytes())
		if !again {
			return
		}
		time.Sleep(min(wait, 30*time.Second))
	}
}

// request sends once: the status, body and Retry-After, and ok false when no answer came.
func (t *Telemetry) request(method, path string, body []byte) (int, []byte, string, bool) {
	req, err := http.NewRequest(method, t.Endpoint+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, "", false
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Content-Encoding", "gzip")
	}
	resp, err := t.client.Do(req)
	if err != nil {
		debug("%s %s -> %v", method, path, err)
		return 0, nil, "", false
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	debug("%s %s -> %d %s", method, path, resp.StatusCode, text)
	return resp.StatusCode, text, resp.Header.Get("Retry-After"), true
}

// post sends once and says whether, and after how long, to try again.
func (t *Telemetry) post(body []byte) (time.Duration, bool) {
	status, _, retryAfter, ok := t.request(http.MethodPost, "/v1/batch", body)
	switch {
	case !ok:
		return 2 * time.Second, true // network trouble or timeout: worth one more try
	case status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable:
		seconds, _ := strconv.Atoi(retryAfter)
		return time.Duration(max(seconds, 5)) * time.Second, true
	case status >= 500:
		return 2 * time.Second, true
	default:
		return 0, false // 200 stored; any other 4xx will fail again the same way
	}
}
