// SPDX-License-Identifier: MIT-0. Copy this file into your SDK as it is: no notice or attribution is needed.

// Package phonehome sends telemetry events in the background, gzipped, in batches, with a
// 3-second timeout; it never panics or returns errors into the host program. DO_NOT_TRACK=1 or
// one of the product's own switches turns it off (then nothing is sent and no file is written).
// A state file keeps the random install id, whether the first-run notice was shown, and the last
// check's settings, fetched at most once a day and honoured (fail open: unreachable means the
// last or default settings). It counts the events it had to drop (offline, queue_full, rejected)
// in the state file and reports them once a day with a later flush. PHONEHOME_DEBUG=1 prints the
// server's answers on stderr.
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
	reportEvery = 24 * time.Hour
	maxPending  = 1000  // events queued or being sent; beyond it, new ones are dropped (and counted)
	maxReported = 10000 // per reason in one client report (the collector's limit); the rest go later
)

// dropReasons are the client report's reasons the kit itself can cause.
var dropReasons = []string{"offline", "queue_full", "rejected"}

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
	InstallID       string         `json:"install_id"`
	NoticeShown     bool           `json:"notice_shown"`
	CheckedAt       int64          `json:"checked_at"`
	AdvisoriesShown []string       `json:"advisories_shown,omitempty"`
	Settings        *settings      `json:"settings"`
	ReportedAt      int64          `json:"reported_at,omitempty"`
	Dropped         map[string]int `json:"dropped,omitempty"` // events dropped, by reason, not yet reported
}

// batch is one send: its events counted in pending until it is settled, once.
type batch struct {
	queued, sending int
	settled         bool
}

type Telemetry struct {
	Product   string
	Version   string // the SDK's own: compared with the settings' min_version
	Endpoint  string // e.g. https://t.example.com
	off       bool
	ci        string
	path      string
	state     state
	client    http.Client
	mu        sync.Mutex // guards queue and state
	checking  sync.Mutex // one check at a time
	queue     []map[string]any
	pending   int // events queued or in a batch not yet settled
	batches   map[*batch]bool
	reporting bool
	wg        sync.WaitGroup
}

// New reads (or starts) the state file and shows the first-run notice; optOutEnv are the
// product's own switches (names of environment variables).
func New(product, version, endpoint string, optOutEnv ...string) *Telemetry {
	t := &Telemetry{Product: product, Version: version, Endpoint: strings.TrimRight(endpoint, "/"),
		client: http.Client{Timeout: timeout}, off: OptedOut(optOutEnv), batches: map[*batch]bool{}}
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
			"checked_at": &t.state.CheckedAt, "advisories_shown": &t.state.AdvisoriesShown, "settings": &t.state.Settings,
			"reported_at": &t.state.ReportedAt, "dropped": &t.state.Dropped} {
			_ = json.Unmarshal(fields[key], into)
		}
	}
	dropped := map[string]int{}
	for reason, n := range t.state.Dropped {
		if slices.Contains(dropReasons, reason) && n > 0 {
			dropped[reason] = n
		}
	}
	t.state.Dropped = dropped
	if !validUUID(t.state.InstallID) {
		t.state = state{InstallID: newUUID(), Dropped: map[string]int{}} // none yet, or unreadable: start fresh
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
	defer t.mu.Unlock()
	if t.pending >= maxPending {
		t.state.Dropped["queue_full"]++ // saved with the next send's state
		return
	}
	t.pending++
	t.queue = append(t.queue, e)
}

// Flush sends what is queued in the background.
func (t *Telemetry) Flush() {
	t.mu.Lock()
	events := t.queue
	t.queue = nil
	b := &batch{queued: len(events), sending: len(events)}
	if len(events) > 0 {
		t.batches[b] = true
	}
	t.mu.Unlock()
	if len(events) == 0 {
		return
	}
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		defer t.settle(b, "", 0)
		defer func() { _ = recover() }() // telemetry must never take the program down
		t.send(events, b)
	}()
}

// Close flushes and waits for the sends, at most the timeout; what is still being tried then is
// lost when the program ends: counted offline, saved for a later run's report.
func (t *Telemetry) Close() {
	if t.off {
		return
	}
	t.Flush()
	done := make(chan struct{})
	go func() { t.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(timeout):
		t.mu.Lock()
		unsettled := make([]*batch, 0, len(t.batches))
		for b := range t.batches {
			unsettled = append(unsettled, b)
		}
		t.mu.Unlock()
		for _, b := range unsettled {
			t.settle(b, "offline", b.sending)
		}
	}
}

// settle ends a batch once (its send, or Close giving up on it) and saves what it dropped.
func (t *Telemetry) settle(b *batch, reason string, count int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if b.settled {
		return
	}
	b.settled = true
	delete(t.batches, b)
	t.pending -= b.queued
	if reason != "" {
		if count > 0 {
			t.state.Dropped[reason] += count
		}
		t.save()
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

func (t *Telemetry) send(queued []map[string]any, b *batch) {
	t.Check()
	// Drops known before this batch: this batch's own go with a later flush.
	t.mu.Lock()
	unreported := map[string]int{}
	for reason, n := range t.state.Dropped {
		unreported[reason] = min(n, maxReported)
	}
	t.mu.Unlock()
	// Held back by the settings is not a drop: the server knows what it turned off.
	var events []map[string]any
	for _, e := range queued {
		if name, _ := e["event"].(string); t.allowed(name) {
			events = append(events, e)
		}
	}
	t.mu.Lock()
	b.sending = len(events)
	t.mu.Unlock()
	if len(events) == 0 {
		debug("nothing sent: the server's settings turn these events off")
	} else {
		reason, lost := t.deliver(events)
		t.settle(b, reason, lost)
	}
	t.settle(b, "", 0)
	t.report(unreported)
}

// deliver sends a batch with its retries: the drop reason and how many events it lost.
func (t *Telemetry) deliver(events []map[string]any) (string, int) {
	payload, err := json.Marshal(map[string]any{"sent_at": time.Now().UTC().Format(time.RFC3339Nano), "events": events})
	if err != nil {
		return "", 0
	}
	var body bytes.Buffer
	zw := gzip.NewWriter(&body)
	_, _ = zw.Write(payload)
	_ = zw.Close()
	for attempt := 0; attempt < maxAttempts; attempt++ {
		wait, again, rejected := t.post(body.Bytes(), len(events))
		if !again {
			return "rejected", rejected
		}
		if attempt+1 < maxAttempts {
			time.Sleep(min(wait, 30*time.Second))
		}
	}
	return "offline", len(events) // given up: every event of the batch is lost
}

// report sends the drop counts at most once a day; they are reset only when the server took them.
func (t *Telemetry) report(unreported map[string]int) {
	t.mu.Lock()
	due := len(unreported) > 0 && !t.reporting && time.Since(time.Unix(t.state.ReportedAt, 0)) >= reportEvery
	t.reporting = t.reporting || due
	t.mu.Unlock()
	if !due {
		return
	}
	defer func() { t.mu.Lock(); t.reporting = false; t.mu.Unlock() }()
	body, err := json.Marshal(map[string]any{"version": t.Version, "dropped": unreported})
	if err != nil {
		return
	}
	status, _, _, ok := t.request(http.MethodPost, "/v1/"+t.Product+"/client_report", body)
	if !ok || status != http.StatusOK {
		return // kept for the next flush
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for reason, n := range unreported { // drops counted meanwhile stay
		if t.state.Dropped[reason] -= n; t.state.Dropped[reason] <= 0 {
			delete(t.state.Dropped, reason)
		}
	}
	t.state.ReportedAt = time.Now().Unix()
	t.save()
}

// request sends once: the status, body and Retry-After, and ok false when no answer came. A body
// is an event batch (gzipped) or, on the client_report route, plain JSON.
func (t *Telemetry) request(method, path string, body []byte) (int, []byte, string, bool) {
	req, err := http.NewRequest(method, t.Endpoint+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, "", false
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
		if path == "/v1/batch" {
			req.Header.Set("Content-Encoding", "gzip")
		}
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

// post sends once and says whether, and after how long, to try again; when not, how many of the
// count events the server rejected.
func (t *Telemetry) post(body []byte, count int) (time.Duration, bool, int) {
	status, text, retryAfter, ok := t.request(http.MethodPost, "/v1/batch", body)
	switch {
	case !ok:
		return 2 * time.Second, true, 0 // network trouble or timeout: worth one more try
	case status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable:
		seconds, _ := strconv.Atoi(retryAfter)
		return time.Duration(max(seconds, 5)) * time.Second, true, 0
	case status >= 500:
		return 2 * time.Second, true, 0
	}
	// 200 stored; any other 4xx will fail again the same way.
	var answer struct {
		Results []struct{ Status string } `json:"results"`
	}
	if json.Unmarshal(text, &answer) != nil || answer.Results == nil {
		if status >= 400 {
			return 0, false, count // refused whole, with no verdicts to read
		}
		return 0, false, 0
	}
	rejected := 0
	for _, r := range answer.Results {
		if r.Status == "rejected" {
			rejected++
		}
	}
	return 0, false, rejected
}
