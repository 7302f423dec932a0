#!/bin/bash
# Container health check without curl or wget in the image: one HTTP/1.0 GET over bash's /dev/tcp to the
# management port (HEALTHCHECK_PORT, set by the image build) and a 200 status line, or failure.
# Usage: healthcheck [path]   (default /actuator/health/readiness)
set -u
port="${HEALTHCHECK_PORT:?HEALTHCHECK_PORT is not set}"
path="${1:-/actuator/health/readiness}"
exec 3<>"/dev/tcp/127.0.0.1/${port}" || exit 1
printf 'GET %s HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n' "${path}" >&3
IFS= read -r -t 2 status <&3 || exit 1
[[ "${status}" =~ ^HTTP/1\.[01]\ 200 ]]
