# SPDX-License-Identifier: MIT-0. Copy this file into your SDK as it is: no notice or attribution is needed.
"""phonehome client for Python (standard library only).

Events are queued and sent in a background thread, gzipped, in batches, with a 3-second
timeout; nothing here ever raises into the host program. DO_NOT_TRACK=1 turns it off.
"""
import atexit
import gzip
import json
import os
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone

ENDPOINT = os.environ.get("PHONEHOME_URL", "https://t.example.com")
TIMEOUT_S = 3.0
MAX_ATTEMPTS = 3


def telemetry_disabled():
    return os.environ.get("DO_NOT_TRACK", "").strip().lower() in ("1", "true", "yes")


class Telemetry:
    def __init__(self, product, endpoint=ENDPOINT, batch_size=20):
        self.product = product
        self.endpoint = endpoint.rstrip("/")
        self.batch_size = batch_size
        self.queue = []
        self.lock = threading.Lock()
        self.threads = []
        atexit.register(self.close)

    def track(self, event, fields):
        if telemetry_disabled():
            return
        with self.lock:
            self.queue.append({"product": self.product, "event": event, **fields})
            full = len(self.queue) >= self.batch_size
        if full:
            self.flush()

    def flush(self):
        with self.lock:
            events, self.queue = self.queue, []
        if events:
            thread = threading.Thread(target=self._send, args=(events,), daemon=True)
            thread.start()
            self.threads.append(thread)

    def close(self, wait_s=TIMEOUT_S):
        """Flush and give the sends a moment at exit; never blocks longer than wait_s."""
        self.flush()
        deadline = time.monotonic() + wait_s
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def _send(self, events):
        try:
            sent_at = datetime.now(timezone.utc).isoformat()
            body = gzip.compress(json.dumps({"sent_at": sent_at, "events": events}).encode())
            for attempt in range(MAX_ATTEMPTS):
                retry_after = self._post(body)
                if retry_after is None:
                    return
                time.sleep(min(retry_after, 30.0))
        except Exception:
            pass  # telemetry must never break the program it measures

    def _post(self, body):
        """Sends once. Returns None when done (sent, or refused for good), else seconds to wait."""
        request = urllib.request.Request(
            self.endpoint + "/v1/batch", data=body, method="POST",
            headers={"Content-Type": "application/json", "Content-Encoding": "gzip"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S):
                return None  # 200: stored (each event's verdict is in the body)
        except urllib.error.HTTPError as error:
            # 429 and 503 say "retry later"; any other 4xx will fail again the same way.
            if error.code in (429, 503):
                return float(error.headers.get("Retry-After") or 5)
            return None if error.code < 500 else 2.0
        except OSError:
            return 2.0  # network trouble: worth one more try


if __name__ == "__main__":
    import sys
    import uuid
    telemetry = Telemetry("agentsonar")
    telemetry.track("session", {
        "install_id": sys.argv[1] if len(sys.argv) > 1 else str(uuid.uuid4()),
        "session_id": str(uuid.uuid4()),
        "version": "0.4.0",
        "python": "%d.%d" % sys.version_info[:2],
        "os": sys.platform,
        "timestamp": time.time(),
    })
    telemetry.close()
