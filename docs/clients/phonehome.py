# SPDX-License-Identifier: MIT-0. Copy this file into your SDK as it is: no notice or attribution is needed.
"""phonehome client for Python (standard library only).

Events are queued and sent in a background thread, gzipped, in batches, with a 3-second
timeout; nothing here ever raises into the host program. DO_NOT_TRACK=1 or one of the product's
own switches turns it off (then nothing is sent and no file is written). A state file keeps the
random install id, whether the first-run notice was shown, and the last check's settings, which
are fetched at most once a day and honoured (fail open: unreachable means the last or default
settings). It counts the events it had to drop (offline, queue_full, rejected) in the state file
and reports them once a day with a later flush. PHONEHOME_DEBUG=1 prints the server's answers on
stderr.
"""
import atexit
import gzip
import json
import os
import re
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import datetime, timezone

ENDPOINT = os.environ.get("PHONEHOME_URL") or "https://t.example.com"
TIMEOUT_S = 3.0
MAX_ATTEMPTS = 3
CHECK_EVERY_S = 86400
REPORT_EVERY_S = 86400
MAX_PENDING = 1000  # events queued or being sent; beyond it, new ones are dropped (and counted)
MAX_REPORTED = 10000  # per reason in one client report (the collector's limit); the rest go later
DROP_REASONS = ("offline", "queue_full", "rejected")  # those the kit itself can cause

# The CI's name (the `ci` preset) when every variable is set (VAR) or equal (VAR=value); first
# match wins. From ci-info's vendors.json (docs/PROTOCOL.md, "CI detection").
CI_VARS = [
    ("github_actions", "GITHUB_ACTIONS"), ("gitlab", "GITLAB_CI"), ("circleci", "CIRCLECI"),
    ("travis", "TRAVIS"), ("jenkins", "JENKINS_URL BUILD_ID"), ("buildkite", "BUILDKITE"),
    ("azure_pipelines", "TF_BUILD"), ("bitbucket", "BITBUCKET_COMMIT"), ("teamcity", "TEAMCITY_VERSION"),
    ("appveyor", "APPVEYOR"), ("drone", "DRONE"), ("codebuild", "CODEBUILD_BUILD_ARN"),
    ("google_cloud_build", "BUILDER_OUTPUT"), ("bamboo", "bamboo_planKey"), ("semaphore", "SEMAPHORE"),
    ("woodpecker", "CI=woodpecker"), ("buddy", "BUDDY_WORKSPACE_ID"), ("codemagic", "CM_BUILD_ID"),
    ("netlify", "NETLIFY"), ("vercel", "NOW_BUILDER"), ("vercel", "VERCEL"), ("heroku", "HEROKU_TEST_RUN_ID"),
]


def detect_ci():
    env = os.environ
    if env.get("CI", "").lower() in ("false", "0"):
        return "none"
    for name, specs in CI_VARS:
        if all(env.get(s.split("=")[0]) and ("=" not in s or env[s.split("=")[0]] == s.split("=")[1])
               for s in specs.split()):
            return name
    return "unknown" if env.get("CI") or env.get("CONTINUOUS_INTEGRATION") else "none"


# A switch named like NO_/DISABLE/OPTOUT/DO_NOT_TRACK opts out when true (1, true, yes, on);
# one named like MYTOOL_TELEMETRY opts out when false (0, false, no, off).
def says_off(name):
    return re.search(r"DISABLE|OPT_?OUT|(^|_)NO_|DO_NOT_TRACK", name, re.I) is not None


def opted_out(switches=()):
    for name in ("DO_NOT_TRACK", *switches):
        value = os.environ.get(name, "").strip().lower()
        if value in (("1", "true", "yes", "on") if says_off(name) else ("0", "false", "no", "off")):
            return True
    return False


def version_key(version):
    match = re.match(r"v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(-)?", version or "")
    return match and (int(match[1]), int(match[2] or 0), int(match[3] or 0), not match[4])


def older(version, minimum):
    """True only when both parse and version < minimum: an unreadable version fails open."""
    mine, least = version_key(version), version_key(minimum)
    return bool(mine and least and mine < least)


def say(message):
    try:
        print(message, file=sys.stderr)
    except Exception:
        pass  # a closed stderr must not break the host program


def debug(message):
    if os.environ.get("PHONEHOME_DEBUG", "").lower() in ("1", "true", "yes"):
        say("phonehome: " + message)


class Telemetry:
    def __init__(self, product, version, endpoint=ENDPOINT, opt_out_env=(), batch_size=20, notice=None):
        self.product, self.version = product, version
        self.endpoint = endpoint.rstrip("/")
        self.batch_size = batch_size
        self.queue, self.pending = [], 0
        self.lock, self.check_lock, self.report_lock = threading.Lock(), threading.Lock(), threading.Lock()
        self.threads = []
        self.off = opted_out(opt_out_env)
        if self.off:
            return  # no state file, no notice, nothing sent
        self.ci = detect_ci()
        home = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
        self.path = os.path.join(os.environ.get("PHONEHOME_STATE_DIR") or os.path.join(home, product), "telemetry.json")
        self.state = self._load()
        if not self.state.get("notice_shown"):
            switches = "".join(" or %s=%s" % (n, "1" if says_off(n) else "off") for n in opt_out_env)
            say(notice or "%s sends anonymous usage telemetry: a random install id, versions, platform and CI name, "
                "never personal data. What is collected and kept: %s/ . To turn it off, set DO_NOT_TRACK=1%s."
                % (product, self.endpoint, switches))
            self.state["notice_shown"] = True
        self._save()
        atexit.register(self.close)

    def _load(self):
        try:
            with open(self.path, encoding="utf-8") as file:
                state = json.load(file)
            if re.fullmatch(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}", state["install_id"]):
                # A value of the wrong type (another kit's, or a hand's) is dropped; the id is kept.
                kinds = {"checked_at": (int, float), "settings": dict, "advisories_shown": list,
                         "reported_at": (int, float), "dropped": dict}
                state = {k: v for k, v in state.items() if isinstance(v, kinds.get(k, object))}
                state["dropped"] = {r: n for r, n in state.get("dropped", {}).items()
                                    if r in DROP_REASONS and isinstance(n, int) and n > 0}
                return state
        except Exception:
            pass
        return {"install_id": str(uuid.uuid4()), "dropped": {}}  # none yet, or unreadable: start fresh

    def _save(self):
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            keys = ("install_id", "notice_shown", "checked_at", "advisories_shown", "settings", "reported_at", "dropped")
            temporary = "%s.%d.tmp" % (self.path, os.getpid())
            with open(temporary, "w", encoding="utf-8") as file:
                json.dump({k: self.state[k] for k in keys if k in self.state}, file, separators=(",", ":"))
            os.replace(temporary, self.path)  # whole or not at all, even with two processes
        except Exception:
            pass

    def track(self, event, fields):
        if self.off:
            return
        with self.lock:
            if self.pending >= MAX_PENDING:
                return self._dropped("queue_full", 1)  # saved with the next send's state
            self.queue.append({"product": self.product, "event": event,
                               "install_id": self.state["install_id"], "ci": self.ci, **fields})
            self.pending += 1
            full = len(self.queue) >= self.batch_size
        if full:
            self.flush()

    def flush(self):
        with self.lock:
            events, self.queue = self.queue, []
        if events:
            batch = {"queued": len(events), "sending": len(events), "settled": False}
            thread = threading.Thread(target=self._send, args=(events, batch), daemon=True)
            thread.start()
            self.threads.append((thread, batch))

    def close(self, wait_s=TIMEOUT_S):
        """Flush and give the sends a moment at exit; never blocks longer than wait_s."""
        atexit.unregister(self.close)  # closed once: the exit hook must not wait again
        self.flush()
        deadline = time.monotonic() + wait_s
        for thread, _ in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        for thread, batch in self.threads:
            if thread.is_alive():  # still trying when the program ends: lost
                self._settle(batch, "offline", batch["sending"])

    def check(self):
        """Fetches the check answer when the last is a day old; keeps the last settings when it fails."""
        if time.time() - self.state.get("checked_at", 0) < CHECK_EVERY_S:
            return
        query = urllib.parse.urlencode({"version": self.version, "ci": self.ci})
        status, body, _ = self._request("GET", "/v1/%s/check?%s" % (self.product, query), None, {})
        if status is None:
            return  # unreachable: try again next run
        self.state["checked_at"] = int(time.time())
        try:
            answer = json.loads(body) if status == 200 else {}
        except ValueError:
            answer = {}
        answer = answer if isinstance(answer, dict) else {}
        if isinstance(answer.get("settings"), dict):
            self.state["settings"] = answer["settings"]
        shown = self.state.setdefault("advisories_shown", [])
        for advisory in answer.get("advisories") or []:
            if advisory.get("level") in ("warning", "critical") and advisory.get("id") not in shown:
                say("%s %s advisory: %s %s" % (self.product, advisory["level"], advisory.get("message", ""),
                                               advisory.get("url") or ""))
                shown.append(advisory.get("id"))
        self._save()

    def allowed(self, event):
        settings = self.state.get("settings") or {}
        # An event listed under "events" carries all its values (its product's where it sets none).
        rule = (settings.get("events") or {}).get(event) or settings
        return rule.get("enabled") is not False and not older(self.version, rule.get("min_version"))

    def _dropped(self, reason, count):
        """Counts events the kit dropped itself; the caller holds self.lock."""
        if count > 0:
            self.state["dropped"][reason] = self.state["dropped"].get(reason, 0) + count

    def _settle(self, batch, reason, count):
        """Ends a batch once (its send, or close() giving up on it) and saves what it dropped."""
        with self.lock:
            if batch["settled"]:
                return
            batch["settled"] = True
            self.pending -= batch["queued"]
            if reason:
                self._dropped(reason, count)
                self._save()

    def _send(self, events, batch):
        try:
            with self.check_lock:
                self.check()
            # Drops known before this batch: this batch's own go with a later flush.
            with self.lock:
                unreported = {r: min(n, MAX_REPORTED) for r, n in self.state["dropped"].items()}
            # Held back by the settings is not a drop: the server knows what it turned off.
            events = [e for e in events if self.allowed(e["event"])]
            batch["sending"] = len(events)
            if events:
                self._settle(batch, *self._deliver(events))
            else:
                debug("nothing sent: the server's settings turn these events off")
            self._settle(batch, None, 0)
            self._report(unreported)
        except Exception:
            pass  # telemetry must never break the program it measures
        finally:
            self._settle(batch, None, 0)

    def _deliver(self, events):
        """Sends a batch with its retries; answers the drop reason and how many it lost."""
        sent_at = datetime.now(timezone.utc).isoformat()
        body = gzip.compress(json.dumps({"sent_at": sent_at, "events": events}).encode())
        for attempt in range(MAX_ATTEMPTS):
            retry_after, rejected = self._post(body, len(events))
            if retry_after is None:
                break
            if attempt + 1 < MAX_ATTEMPTS:
                time.sleep(min(retry_after, 30.0))
        else:
            return "offline", len(events)  # given up: every event of the batch is lost
        return "rejected", rejected

    def _report(self, unreported):
        """Sends the drop counts at most once a day; they are reset only when the server took them."""
        if not any(unreported.values()) or time.time() - self.state.get("reported_at", 0) < REPORT_EVERY_S:
            return
        if not self.report_lock.acquire(blocking=False):
            return  # another send is reporting
        try:
            body = json.dumps({"version": self.version, "dropped": unreported}).encode()
            status, _, _ = self._request("POST", "/v1/%s/client_report" % self.product, body,
                                         {"Content-Type": "application/json"})
            if status != 200:
                return  # kept for the next flush
            with self.lock:
                dropped = self.state["dropped"]
                for reason, count in unreported.items():  # drops counted meanwhile stay
                    dropped[reason] = dropped.get(reason, 0) - count
                    if dropped[reason] <= 0:
                        del dropped[reason]
                self.state["reported_at"] = int(time.time())
                self._save()
        finally:
            self.report_lock.release()

    def _request(self, method, path, body, headers):
        """Sends once. Returns (status, body text, Retry-After), status None when no answer came."""
        request = urllib.request.Request(self.endpoint + path, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
                status, text, retry_after = response.status, response.read().decode("utf-8", "replace"), None
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode("utf-8", "replace")
            retry_after = error.headers.get("Retry-After")
        except OSError as error:
            debug("%s %s -> %s" % (method, path, error))
            return None, str(error), None
        debug("%s %s -> %d %s" % (method, path, status, text))
        return status, text, retry_after

    def _post(self, body, count):
        """Sends once. Returns (None, events rejected) when done (sent, or refused for good),
        else (seconds to wait, None)."""
        status, text, retry_after = self._request("POST", "/v1/batch", body,
                                        {"Content-Type": "application/json", "Content-Encoding": "gzip"})
        if status is None:
            return 2.0, None  # network trouble: worth one more try
        # 429 and 503 say "retry later"; any other 4xx will fail again the same way.
        if status in (429, 503):
            return float(retry_after or 5), None
        if status >= 500:
            return 2.0, None
        try:
            results = json.loads(text)["results"]
            return None, sum(1 for r in results if r.get("status") == "rejected")
        except Exception:
            return None, count if status >= 400 else 0  # refused whole, with no verdicts to read


if __name__ == "__main__":
    # phonehome.py [VERSION]: one AgentSonar session event, as its SDK would send it.
    telemetry = Telemetry("agentsonar", sys.argv[1] if len(sys.argv) > 1 else "0.4.0",
                          opt_out_env=["AGENTSONAR_TELEMETRY"])
    telemetry.track("session", {
        "session_id": str(uuid.uuid4()),
        "version": telemetry.version,
        "python": "%d.%d" % sys.version_info[:2],
        "os": sys.platform,
        "timestamp": time.time(),
    })
    telemetry.close()
