#!/usr/bin/env bash
# Before a job that signs (or decides what is verified and published) uses
# anything another job of this run produced, ask the platform where those
# jobs ran. A self-hosted runner can carry any label, `ubuntu-latest`
# included, and report `RUNNER_ENVIRONMENT=github-hosted` about itself; the
# GitHub Jobs API reports the runner GitHub actually gave the job. This
# script runs from a checkout of the builder at this workflow's own commit,
# with bash, curl and jq from the GitHub-hosted image: never with a binary
# that an earlier job built.
#
#   require-hosted-jobs.sh SELF JOB...
#
# SELF is this job's name in the workflow (`attest`), each JOB one whose
# output it uses (`detect`, `build-cuda`). This job is found by its own
# check-run ID; in a reusable workflow every job is named `CALLER / NAME`,
# so the others are looked up with the same prefix. Each must be exactly one
# job of this run attempt, concluded `success`, on a GitHub-hosted runner:
# runner group 0 named `GitHub Actions`, without a `self-hosted` label.
# Environment: GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID,
# GITHUB_RUN_ATTEMPT, GITHUB_TOKEN (actions: read), SELF_JOB_ID.
set -euo pipefail

fail() {
  echo "::error title=slsa-aibom hosted-jobs::$*" >&2
  exit 1
}
[[ $# -ge 2 ]] || fail "usage: require-hosted-jobs.sh SELF JOB..."
self_name=$1
shift
[[ "${SELF_JOB_ID:-}" =~ ^[0-9]+$ ]] || fail "hosted-jobs.self: this job's check-run ID is missing"
[[ "${GITHUB_RUN_ID:-}" =~ ^[0-9]+$ && "${GITHUB_RUN_ATTEMPT:-}" =~ ^[0-9]+$ ]] ||
  fail "hosted-jobs.api: GITHUB_RUN_ID and GITHUB_RUN_ATTEMPT are not set"

url="${GITHUB_API_URL:?}/repos/${GITHUB_REPOSITORY:?}/actions/runs/$GITHUB_RUN_ID/attempts/$GITHUB_RUN_ATTEMPT/jobs"
jobs='[]'
for page in $(seq 1 20); do
  body=$(curl -sSf --max-time 30 --retry 3 \
    -H "Authorization: Bearer ${GITHUB_TOKEN:?}" -H "Accept: application/vnd.github+json" \
    "$url?per_page=100&page=$page") || fail "hosted-jobs.api: cannot list this run attempt's jobs ($url)"
  jobs=$(jq -c --argjson all "$jobs" 'if (.jobs | type) == "array" then $all + .jobs else error("no jobs array") end' <<<"$body") ||
    fail "hosted-jobs.api: the Jobs API answer has no jobs list"
  [[ $(jq '.jobs | length' <<<"$body") -eq 100 ]] || break
done

# GitHub-hosted, as the Jobs API reports GitHub's standard runners.
hosted='(.runner_group_id == 0) and (.runner_group_name == "GitHub Actions")
  and (((.labels // []) | index("self-hosted")) == null)'
# A job's runner, for messages (JSON-quoted: runner names are not ours).
where='{runner_name, runner_group_name, runner_group_id, labels} | tojson'

me=$(jq -c --argjson id "$SELF_JOB_ID" '[.[] | select(.id == $id)]' <<<"$jobs")
[[ $(jq length <<<"$me") -eq 1 ]] || fail "hosted-jobs.self: this job ($SELF_JOB_ID) is not among this run attempt's jobs"
name=$(jq -r '.[0].name' <<<"$me")
[[ "$name" == "$self_name" || "$name" == *" / $self_name" ]] ||
  fail "hosted-jobs.self: this job is named $(jq -c '.[0].name' <<<"$me"), not $self_name"
jq -e ".[0] | $hosted" <<<"$me" >/dev/null ||
  fail "hosted-jobs.self: this job ran on $(jq -r ".[0] | $where" <<<"$me"), not a GitHub-hosted runner"
prefix=${name%"$self_name"}

for short in "$@"; do
  found=$(jq -c --arg n "$prefix$short" '[.[] | select(.name == $n)]' <<<"$jobs")
  count=$(jq length <<<"$found")
  [[ $count -eq 1 ]] || fail "hosted-jobs.$short: $count jobs named '$prefix$short' in this run attempt, expected one"
  conclusion=$(jq -r '.[0].conclusion // "none"' <<<"$found")
  [[ "$conclusion" == success ]] || fail "hosted-jobs.$short: the job concluded $(jq -c '.[0].conclusion' <<<"$found"), not success"
  jq -e ".[0] | $hosted" <<<"$found" >/dev/null ||
    fail "hosted-jobs.$short: the job ran on $(jq -r ".[0] | $where" <<<"$found"), not a GitHub-hosted runner: its output is not used"
  echo "hosted-jobs.$short: ok (GitHub-hosted, $(jq -r '.[0].runner_name | tojson' <<<"$found"))"
done
