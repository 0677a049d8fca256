#!/bin/sh
# SPDX-License-Identifier: MIT-0. Copy this file into your SDK as it is: no notice or attribution is needed.
# phonehome client for shell scripts (POSIX sh, awk, curl, gzip): one event, sent in the background
# with a 3-second timeout; the script never waits for it or fails because of it.
#   phonehome.sh PRODUCT EVENT 'JSON-FIELDS'     (the fields' "version" is the one checked)
# DO_NOT_TRACK=1, or one of the product's switches (env var names the calling script lists in
# phonehome_opt_out), turns it off: nothing sent, no file written. The state file keeps the random
# install id, whether the first-run notice was shown, and the last check's settings, fetched at most
# once a day and honoured (fail open); the drop counts another kit keeps there for its client
# report are kept as they are (this one sends one event and queues nothing, so it drops nothing it
# could count). PHONEHOME_DEBUG=1 prints the server's answers on stderr.
# curl retries 429 and 5xx answers (honouring Retry-After) and nothing else.

phonehome_debug() {
  case "${PHONEHOME_DEBUG:-}" in 1|true|yes) printf 'phonehome: %s\n' "$*" >&2 ;; esac
}

# JSON on stdin -> a line per value (path=value, strings unquoted with their escapes kept:
# advisories.0.id=a1) and a line per top-level key with its raw text (settings:={...}).
phonehome_json_flat() {
  awk 'function path(d,  p, x) { p = k[1]; for (x = 2; x <= d; x++) p = p "." k[x]; return p }
  { s = s $0 }
  END {
    n = length(s); d = 0
    for (i = 1; i <= n; i++) {
      c = substr(s, i, 1)
      if (c == "\"") {
        for (j = i + 1; j <= n && (e = substr(s, j, 1)) != "\""; j++) if (e == "\\") j++
        v = substr(s, i + 1, j - i - 1); i = j
        for (t = i + 1; substr(s, t, 1) ~ /[ \t\r]/; t++);
        if (substr(s, t, 1) == ":") { k[d] = v; i = t } else print path(d) "=" v
      } else if (c == "{" || c == "[") { if (d == 1) start = i; d++; list[d] = c == "["; k[d] = list[d] ? 0 : "" }
      else if (c == "}" || c == "]") { d--; if (d == 1) print k[1] ":=" substr(s, start, i - start + 1) }
      else if (c == ",") { if (list[d]) k[d]++ }
      else if (c !~ /[ \t\r:]/) { match(substr(s, i), /^[^],} \t\r]+/); print path(d) "=" substr(s, i, RLENGTH); i += RLENGTH - 1 }
    }
  }'
}

phonehome_value() { # KEY: the value of KEY in phonehome_json_flat's output on stdin
  sed -n "s/^$1=//p" | head -n 1
}

# The CI's name (the `ci` preset) when every variable is set (VAR) or equal (VAR=value); first match
# wins. From ci-info's vendors.json (docs/PROTOCOL.md, "CI detection").
phonehome_ci() {
  case "${CI:-}" in false|FALSE|False|0) echo none; return ;; esac
  while read -r ph_name ph_specs; do
    ph_all=yes
    for ph_spec in $ph_specs; do
      eval "ph_set=\${${ph_spec%%=*}:-}"
      case $ph_spec in *=*) [ "$ph_set" = "${ph_spec#*=}" ] || ph_all= ;; *) [ -n "$ph_set" ] || ph_all= ;; esac
    done
    if [ -n "$ph_all" ]; then echo "$ph_name"; return; fi
  done <<EOF
github_actions GITHUB_ACTIONS
gitlab GITLAB_CI
circleci CIRCLECI
travis TRAVIS
jenkins JENKINS_URL BUILD_ID
buildkite BUILDKITE
azure_pipelines TF_BUILD
bitbucket BITBUCKET_COMMIT
teamcity TEAMCITY_VERSION
appveyor APPVEYOR
drone DRONE
codebuild CODEBUILD_BUILD_ARN
google_cloud_build BUILDER_OUTPUT
bamboo bamboo_planKey
semaphore SEMAPHORE
woodpecker CI=woodpecker
buddy BUDDY_WORKSPACE_ID
codemagic CM_BUILD_ID
netlify NETLIFY
vercel NOW_BUILDER
vercel VERCEL
heroku HEROKU_TEST_RUN_ID
EOF
  if [ -n "${CI:-}${CONTINUOUS_INTEGRATION:-}" ]; then echo unknown; else echo none; fi
}

# A switch named like NO_/DISABLE/OPTOUT/DO_NOT_TRACK opts out when true (1, true, yes, on);
# one named like MYTOOL_TELEMETRY opts out when false (0, false, no, off).
phonehome_opted_out() {
  for ph_switch in DO_NOT_TRACK ${phonehome_opt_out:-}; do
    eval "ph_set=\${$ph_switch:-}"
    ph_set=$(printf '%s' "$ph_set" | tr 'A-Z' 'a-z' | tr -d ' ')
    case $(printf '%s' "$ph_switch" | tr 'a-z' 'A-Z') in
      *DISABLE*|*OPTOUT*|*OPT_OUT*|NO_*|*_NO_*|*DO_NOT_TRACK*) case $ph_set in 1|true|yes|on) return 0 ;; esac ;;
      *) case $ph_set in 0|false|no|off) return 0 ;; esac ;;
    esac
  done
  return 1
}

phonehome_older() { # VERSION MINIMUM: true only when both parse and VERSION < MINIMUM (fail open)
  awk -v a="$1" -v b="$2" 'function key(v,  p, n) {
      sub(/^v/, "", v); if (v !~ /^[0-9]/) return ""
      r = v ~ /^[0-9.]*-/ ? 0 : 1; sub(/[^0-9.].*$/, "", v); n = split(v, p, ".")
      return sprintf("%09d%09d%09d%d", p[1], n > 1 ? p[2] : 0, n > 2 ? p[3] : 0, r)
    }
    BEGIN { x = key(a); y = key(b); exit !(x != "" && y != "" && x < y) }'
}

phonehome_request() { # CURL-ARGS...: prints the body, then the status on a line of its own (000: no answer)
  curl --silent --max-time 3 -w '\n%{http_code}' "$@"
}

phonehome_answer() { # LABEL: ph_status and ph_body from ph_answer (phonehome_request's output)
  ph_status=$(printf '%s' "$ph_answer" | tail -n 1)
  ph_body=$(printf '%s' "$ph_answer" | sed '$d')
  phonehome_debug "$1 -> $ph_status $ph_body"
}

phonehome_save() {
  mkdir -p "$ph_dir" 2>/dev/null &&
    printf '{"install_id":"%s","notice_shown":true,"checked_at":%s,"advisories_shown":%s,"settings":%s,"reported_at":%s,"dropped":%s}\n' \
      "$ph_id" "${ph_checked:-0}" "${ph_shown:-[]}" "${ph_settings:-null}" "${ph_reported:-0}" "$ph_dropped" >"$ph_state.$$" 2>/dev/null &&
    mv -f "$ph_state.$$" "$ph_state" 2>/dev/null # whole or not at all
}

# phonehome_check: fetch the check answer when the last is a day old; keep the last one when it fails.
phonehome_check() {
  [ $(($(date +%s) - ${ph_checked:-0})) -ge 86400 ] || return 0
  ph_answer=$(phonehome_request -G --data-urlencode "version=$ph_version" --data-urlencode "ci=$ph_ci" "$endpoint/v1/$1/check")
  phonehome_answer "GET /v1/$1/check"
  [ "$ph_status" = 000 ] && return 0 # unreachable: try again next run
  ph_checked=$(date +%s)
  if [ "$ph_status" = 200 ]; then
    ph_flat=$(printf '%s' "$ph_body" | phonehome_json_flat)
    ph_new=$(printf '%s\n' "$ph_flat" | phonehome_value 'settings:')
    case $ph_new in '{'*) ph_settings=$ph_new ;; esac
    ph_n=0
    while ph_adv=$(printf '%s\n' "$ph_flat" | phonehome_value "advisories\.$ph_n\.id") && [ -n "$ph_adv" ]; do
      ph_level=$(printf '%s\n' "$ph_flat" | phonehome_value "advisories\.$ph_n\.level")
      case $ph_level:${ph_shown:-[]} in
        warning:*"\"$ph_adv\""* | critical:*"\"$ph_adv\""*) ;; # shown before
        warning:* | critical:*)
          printf '%s %s advisory: %s %s\n' "$1" "$ph_level" "$(printf '%s\n' "$ph_flat" | phonehome_value "advisories\.$ph_n\.message")" \
            "$(printf '%s\n' "$ph_flat" | phonehome_value "advisories\.$ph_n\.url" | sed 's/^null$//')" >&2
          case ${ph_shown:-[]} in '[]') ph_shown="[\"$ph_adv\"]" ;; *) ph_shown="${ph_shown%]},\"$ph_adv\"]" ;; esac ;;
      esac
      ph_n=$((ph_n + 1))
    done
  fi
  phonehome_save
}

# phonehome_allowed EVENT: whether the last settings let it be sent. An event listed under "events"
# carries all its values (its product's where it sets none).
phonehome_allowed() {
  ph_flat=$(printf '%s' "${ph_settings:-null}" | phonehome_json_flat)
  ph_rule=
  printf '%s\n' "$ph_flat" | grep -q "^events\.$1\." && ph_rule="events\.$1\."
  ! printf '%s\n' "$ph_flat" | grep -qx "${ph_rule}enabled=false" &&
    ! phonehome_older "$ph_version" "$(printf '%s\n' "$ph_flat" | phonehome_value "${ph_rule}min_version")"
}

# phonehome_send PRODUCT EVENT JSON-FIELDS: in a subshell, so that the caller's set -e or -u cannot
# stop the script because of telemetry, and none of these variables leaks into it.
phonehome_send() {
  (set +eu; phonehome_start "$@") || :
}

phonehome_start() { # PRODUCT EVENT JSON-FIELDS: the notice now; the check and the send in the background
  phonehome_opted_out && return 0
  endpoint=${PHONEHOME_URL:-https://t.example.com}
  endpoint=${endpoint%/}
  ph_dir=${PHONEHOME_STATE_DIR:-${XDG_CONFIG_HOME:-${HOME:-}/.config}/$1}
  ph_state=$ph_dir/telemetry.json
  ph_flat=$(phonehome_json_flat 2>/dev/null <"$ph_state")
  ph_id=$(printf '%s\n' "$ph_flat" | phonehome_value install_id)
  case $ph_id in
    *[!0-9a-fA-F-]*) ph_id= ;;
    ????????-????-????-????-????????????) ;;
    *) ph_id= ;;
  esac
  if [ -z "$ph_id" ]; then # none yet, or unreadable: start fresh
    ph_flat=
    ph_id=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n' | awk '{ printf "%s-%s-4%s-%s%s-%s", substr($0, 1, 8),
      substr($0, 9, 4), substr($0, 14, 3), substr("89ab", index("0123456789abcdef", substr($0, 17, 1)) % 4 + 1, 1),
      substr($0, 18, 3), substr($0, 21, 12) }')
  fi
  ph_checked=$(printf '%s\n' "$ph_flat" | phonehome_value checked_at | tr -cd 0-9)
  ph_shown=$(printf '%s\n' "$ph_flat" | phonehome_value 'advisories_shown:')
  ph_settings=$(printf '%s\n' "$ph_flat" | phonehome_value 'settings:')
  ph_reported=$(printf '%s\n' "$ph_flat" | phonehome_value reported_at | tr -cd 0-9)
  ph_dropped=$(printf '%s\n' "$ph_flat" | phonehome_value 'dropped:')
  case $ph_dropped in '{'*'}') ;; *) ph_dropped='{}' ;; esac
  if [ "$(printf '%s\n' "$ph_flat" | phonehome_value notice_shown)" != true ]; then
    printf '%s sends anonymous usage telemetry: a random install id, versions, platform and CI name, never personal data. What is collected and kept: %s/ . To turn it off, set DO_NOT_TRACK=1%s.\n' \
      "$1" "$endpoint" "$(for ph_switch in ${phonehome_opt_out:-}; do
        case $(printf '%s' "$ph_switch" | tr 'a-z' 'A-Z') in
          *DISABLE*|*OPTOUT*|*OPT_OUT*|NO_*|*_NO_*|*DO_NOT_TRACK*) printf ' or %s=1' "$ph_switch" ;;
          *) printf ' or %s=off' "$ph_switch" ;;
        esac
      done)" >&2
  fi
  phonehome_save
  ph_ci=$(phonehome_ci)
  ph_version=$(printf '%s' "$3" | phonehome_json_flat | phonehome_value version)
  ph_rest=${3#*\{} # the fields' own install_id or ci, if any, win
  ph_head={
  case $3 in *'"install_id"'*) ;; *) ph_head="$ph_head\"install_id\":\"$ph_id\"," ;; esac
  case $3 in *'"ci"'*) ;; *) ph_head="$ph_head\"ci\":\"$ph_ci\"," ;; esac
  case $(printf '%s' "$ph_rest" | tr -d ' \t\n') in '}'*) ph_head=${ph_head%,} ;; esac
  (
    phonehome_check "$1"
    if ! phonehome_allowed "$2"; then
      phonehome_debug "nothing sent: the server's settings turn $2 off"
      exit 0
    fi
    ph_answer=$(printf '%s%s' "$ph_head" "$ph_rest" | gzip -c |
      phonehome_request --retry 2 -H 'Content-Type: application/json' -H 'Content-Encoding: gzip' \
        -H "X-Sent-At: $(date -u +%Y-%m-%dT%H:%M:%SZ)" --data-binary @- "$endpoint/v1/$1/$2")
    phonehome_answer "POST /v1/$1/$2"
  ) </dev/null >/dev/null &
}

# Run as a program (not sourced by another script that happens to have three arguments):
if [ $# -eq 3 ] && [ "${0##*/}" = phonehome.sh ]; then
  phonehome_start "$1" "$2" "$3"
  wait # a long-running script would not wait; this one exits right after
fi
