#!/bin/sh
# SPDX-License-Identifier: MIT-0. Copy this file into your SDK as it is: no notice or attribution is needed.
# phonehome client for shell scripts: one event, sent in the background with a 3-second timeout;
# the script never waits for it or fails because of it. DO_NOT_TRACK=1 turns it off.
#   phonehome.sh PRODUCT EVENT 'JSON-FIELDS'
# curl retries 429 and 5xx answers (honouring Retry-After) and nothing else.
phonehome_send() {
  case "$(printf '%s' "${DO_NOT_TRACK:-}" | tr 'A-Z' 'a-z')" in 1|true|yes) return 0 ;; esac
  endpoint=${PHONEHOME_URL:-https://t.example.com}
  endpoint=${endpoint%/}
  printf '%s' "$3" | gzip -c | curl --silent --output /dev/null --max-time 3 --retry 2 \
    -H 'Content-Type: application/json' -H 'Content-Encoding: gzip' \
    -H "X-Sent-At: $(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    --data-binary @- "$endpoint/v1/$1/$2" >/dev/null 2>&1 &
}

if [ $# -eq 3 ]; then
  phonehome_send "$1" "$2" "$3"
  wait  # a long-running script would not wait; this one exits right after
fi
