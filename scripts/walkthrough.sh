#!/usr/bin/env bash
# urBackend walk-through against a running `pnpm dev` (or any deployment):
# register -> OTP -> verify -> project -> `users` + `posts` collections -> auth + RLS ->
# insert a post with the secret key -> rotate the secret key.
#
#   bash scripts/walkthrough.sh                         # asks for the OTP printed in the dashboard-api log
#   DEV_LOG=/tmp/dev.log bash scripts/walkthrough.sh    # reads the OTP from a saved `pnpm dev` log
#   EMAIL=me@example.com OTP=123456 bash scripts/walkthrough.sh   # verify an account registered earlier
#
# Environment (all optional):
#   DASHBOARD_API  dashboard API base URL (default http://localhost:1234)
#   PUBLIC_API     public API base URL    (default http://localhost:1235)
#   EMAIL          developer email        (default walkthrough-<random>@example.com)
#   PASSWORD       developer password     (default walkthrough-pass-1)
#   OTP            the 6-digit code: skips registering and verifies EMAIL with it
#   DEV_LOG        a file with the `pnpm dev` output to read the OTP from (when there is no SMTP)
#   PROJECT_NAME   name of the created project (default "Walk-through <time>")
# Needs curl; uses jq when installed, else node.
set -euo pipefail

DASHBOARD_API=${DASHBOARD_API:-http://localhost:1234}
PUBLIC_API=${PUBLIC_API:-http://localhost:1235}
EMAIL=${EMAIL:-walkthrough-$(date +%s)-$RANDOM@example.com}
PASSWORD=${PASSWORD:-walkthrough-pass-1}
PROJECT_NAME=${PROJECT_NAME:-Walk-through $(date +%H:%M:%S)}

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
die() {
  printf '\033[31merror:\033[0m %s\n' "$*" >&2
  exit 1
}
command -v curl >/dev/null || die 'curl is required'

if command -v jq >/dev/null; then
  # get <json> <path like .a.b>: prints the value (raw strings), empty when absent.
  get() { jq -r "$2 // empty" <<<"$1"; }
  # str <text>: the text as a JSON string literal.
  str() { jq -Rn --arg s "$1" '$s'; }
else
  command -v node >/dev/null || die 'jq or node is required'
  get() {
    node -e '
      let v = JSON.parse(process.argv[1]);
      for (const k of process.argv[2].split(".").filter(Boolean)) v = v == null ? undefined : v[k];
      if (v != null) console.log(typeof v === "object" ? JSON.stringify(v) : String(v));' "$1" "$2"
  }
  str() { node -e 'process.stdout.write(JSON.stringify(process.argv[1]))' "$1"; }
fi

# call <METHOD> <URL> [JSON body] [extra curl arguments...]: sets STATUS and BODY.
call() {
  local method=$1 url=$2 body=${3:-} out
  shift $(($# < 3 ? $# : 3))
  local args=(-sS -X "$method" "$url" -w '\n%{http_code}' "$@")
  [[ -n $body ]] && args+=(-H 'content-type: application/json' --data "$body")
  out=$(curl "${args[@]}") || die "cannot reach $url (is \`pnpm dev\` running?)"
  STATUS=${out##*$'\n'}
  BODY=${out%$'\n'*}
}
# ok <what>: fails with the answer unless STATUS is 2xx.
ok() { [[ $STATUS == 2* ]] || die "$1 failed: HTTP $STATUS $BODY"; }

step "Checking $DASHBOARD_API and $PUBLIC_API"
call GET "$DASHBOARD_API/api/health" && ok 'dashboard-api health'
call GET "$PUBLIC_API/api/health" && ok 'public-api health'
echo 'both APIs are up'

# The OTP mailed to EMAIL: $OTP, else read from DEV_LOG (polled for 10 s), else asked for.
read_otp() {
  if [[ -n ${OTP:-} ]]; then
    echo "$OTP"
  elif [[ -n ${DEV_LOG:-} ]]; then
    local code='' i
    for i in $(seq 1 50); do
      code=$(sed 's/\x1b\[[0-9;]*m//g' "$DEV_LOG" | awk -v to="\"to\": \"$EMAIL\"" '
        index($0, to) { found = 1; next }
        found && /"text"/ { if (match($0, /[0-9][0-9][0-9][0-9][0-9][0-9]/)) code = substr($0, RSTART, 6); found = 0 }
        END { print code }')
      [[ -n $code ]] && break
      sleep 0.2
    done
    [[ -n $code ]] || die "no OTP for $EMAIL in $DEV_LOG"
    echo "$code"
  else
    local code
    echo "The code was mailed to $EMAIL. Without SMTP_URL it is printed in the dashboard-api log" >&2
    echo '(look for "mail (SMTP_URL not set, printed instead of sent)").' >&2
    read -r -p 'Paste the 6-digit code: ' code || die 'no code given (set OTP= or DEV_LOG=)'
    echo "$code"
  fi
}

if [[ -z ${OTP:-} ]]; then
  step "1. Registering $EMAIL"
  call POST "$DASHBOARD_API/api/auth/register" "{\"email\":$(str "$EMAIL"),\"password\":$(str "$PASSWORD")}"
  ok 'register'
  get "$BODY" .message
fi

step '2. Verifying the email with the OTP'
CODE=$(read_otp)
call POST "$DASHBOARD_API/api/auth/verify-otp" "{\"email\":$(str "$EMAIL"),\"otp\":$(str "$CODE")}"
ok 'verify-otp'
TOKEN=$(get "$BODY" .accessToken)
AUTH=(-H "Authorization: Bearer $TOKEN")
echo "verified; access token ${TOKEN:0:16}…"

step "3. Creating the project \"$PROJECT_NAME\""
call POST "$DASHBOARD_API/api/projects" "{\"name\":$(str "$PROJECT_NAME")}" "${AUTH[@]}"
ok 'create project'
PID=$(get "$BODY" ._id)
PK=$(get "$BODY" .publishableKey)
SK=$(get "$BODY" .secretKey)
echo "project $PID"
echo "publishable key $PK"
echo "secret key      $SK   (shown once: keep it)"

step '4. Creating the users and posts collections'
call POST "$DASHBOARD_API/api/projects/$PID/collections" \
  '{"collectionName":"users","schema":[{"key":"email","type":"String","required":true},{"key":"password","type":"String","required":true},{"key":"username","type":"String"}]}' \
  "${AUTH[@]}"
ok 'create users'
call POST "$DASHBOARD_API/api/projects/$PID/collections" \
  '{"collectionName":"posts","schema":[{"key":"title","type":"String","required":true},{"key":"body","type":"String"},{"key":"views","type":"Number","default":0},{"key":"userId","type":"String"}]}' \
  "${AUTH[@]}"
ok 'create posts'
echo "created the collections users and posts"

step '5. Enabling end-user auth and row-level security on posts'
call PATCH "$DASHBOARD_API/api/projects/$PID/auth/toggle" '{"enable":true}' "${AUTH[@]}"
ok 'auth toggle'
get "$BODY" .message
call PATCH "$DASHBOARD_API/api/projects/$PID/collections/posts/rls" \
  '{"enabled":true,"mode":"public-read","ownerField":"userId"}' "${AUTH[@]}"
ok 'RLS'
echo "RLS: $(get "$BODY" .collection.rls)"

step '6. Inserting a post through the public API with the secret key'
call POST "$PUBLIC_API/api/data/posts" '{"title":"Hello from the walk-through","body":"First post"}' -H "x-api-key: $SK"
ok 'insert post'
POST_ID=$(get "$BODY" ._id)
echo "$BODY"
call GET "$PUBLIC_API/api/data/posts/$POST_ID" '' -H "x-api-key: $PK"
ok 'read the post with the publishable key'
echo "read back with the publishable key: $(get "$BODY" .title)"

step '7. Rotating the secret key'
call POST "$DASHBOARD_API/api/projects/$PID/api-key" '{"keyType":"secret"}' "${AUTH[@]}"
ok 'rotate'
NEW_SK=$(get "$BODY" .apiKey)
echo "new secret key $NEW_SK"
for i in $(seq 1 20); do
  call GET "$PUBLIC_API/api/data/posts?limit=1" '' -H "x-api-key: $SK"
  [[ $STATUS == 401 ]] && break
  sleep 0.1
done
[[ $STATUS == 401 ]] || die "the old secret key still works (HTTP $STATUS)"
echo "old key: HTTP $STATUS $(get "$BODY" .error)"
call GET "$PUBLIC_API/api/data/posts?limit=1" '' -H "x-api-key: $NEW_SK"
ok 'read with the new key'
echo "new key: HTTP $STATUS, $(get "$BODY" .data.total) post(s)"

step 'Done'
cat <<EOF
Developer:   $EMAIL / $PASSWORD (log in on the dashboard, http://localhost:5173 under pnpm dev)
Project:     $PID
Keys:        $PK
             $NEW_SK
Try:         curl -H "x-api-key: $PK" "$PUBLIC_API/api/data/posts"
EOF
