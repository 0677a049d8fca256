// SPDX-License-Identifier: MIT-0. Copy this file into your SDK as it is: no notice or attribution is needed.

// Package phonehome sends telemetry events in the background, gzipped, in batches, with a
// 3-second timeout; it never panics or returns errors into the host program. DO_NOT_TRACK=1
// turns it off.
package phonehome

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	timeout     = 3 * time.Second
	maxAttempts = 3
)

func disabled() bool {
	switch strings.ToLower(strings.TrimSpace(os.Getenv("DO_NOT_TRACK"))) {
	case "1", "true", "yes":
		return true
	}
	return false
}

type Telemetry struct {
	Product  string
	Endpoint string // e.g. https://t.example.com
	client   http.Client
	mu       sync.Mutex
	queue    []map[string]any
	wg       sync.WaitGroup
}

func New(product, endpoint string) *Telemetry {
	return &Telemetry{Product: product, Endpoint: strings.TrimRight(endpoint, "/"), client: http.Client{Timeout: timeout}}
}

// Track queues one event; fields are the event's own, as the catalogue declares them.
func (t *Telemetry) Track(event string, fields map[string]any) {
	if disabled() {
		return
	}
	e := map[string]any{"product": t.Product, "event": event}
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

func (t *Telemetry) send(events []map[string]any) {
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

// post sends once and says whether, and after how long, to try again.
func (t *Telemetry) post(body []byte) (time.Duration, bool) {
	req, err := http.NewRequest(http.MethodPost, t.Endpoint+"/v1/batch", bytes.NewReader(body))
	if err != nil {
		return 0, false
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Encoding", "gzip")
	resp, err := t.client.Do(req)
	if err != nil {
		return 2 * time.Second, true // network trouble or timeout: worth one more try
	}
	resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
		seconds, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		return time.Duration(max(seconds, 5)) * time.Second, true
	case resp.StatusCode >= 500:
		return 2 * time.Second, true
	default:
		return 0, false // 200 stored; any other 4xx will fail again the same way
	}
}
