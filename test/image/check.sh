#!/usr/bin/env bash
# `npm run test:image`: builds the Docker image with podman and tries it for real
# (test/image/image.check.ts, run by tap), then prints "N passed, N failed". Sets up what it needs
# and leaves no container, volume or process behind; the base image stays cached (base-image.sh).
set -uo pipefail
cd "$(dirname "$0")/../.."

# podman and buildah build and run the images; runc runs them (crun refuses the hybrid cgroup
# layout of these machines); catatonit is compose's `init: true`; docker-compose is the real
# compose, talking to podman's Docker API; debootstrap builds the stand-in base image.
packages=(podman buildah runc catatonit netavark aardvark-dns slirp4netns debootstrap docker-compose)
missing=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' "${packages[@]}" 2>&1 | grep -cv '^ii ')
if [ "$missing" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq "${packages[@]}" >/dev/null; } || { echo "0 passed, 1 failed"; exit 1; }
fi

work=$(mktemp -d)
service=""
cleanup () {
  [ -n "$service" ] && kill "$service" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
# A containers.conf of the check's own, never the machine's: runc on cgroupfs (no systemd here),
# and ulimits within the hard limits these machines set (podman's defaults ask for more, and fail).
cat >"$work/containers.conf" <<'CONF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
export CONTAINERS_CONF="$work/containers.conf"
# podman's Docker API, for docker-compose; it lives as long as this script.
podman system service --time=0 "unix://$work/podman.sock" >"$work/service.log" 2>&1 &
service=$!
export DOCKER_HOST="unix://$work/podman.sock"
for _ in $(seq 100); do [ -S "$work/podman.sock" ] && break; sleep 0.1; done

# What the check makes: the compose project's containers, volume and network, and the lone run's.
containers () {
  podman ps -aq --filter label=com.docker.compose.project=image-backend-check
  podman ps -aq --filter name=image-backend-check-alone
}
ours () {
  containers
  podman volume ls -q --filter name=image-backend-check
  podman network ls -q --filter name=image-backend-check
}
remove_ours () {
  podman rm -f $(containers) >/dev/null 2>&1
  podman volume rm -f $(podman volume ls -q --filter name=image-backend-check) >/dev/null 2>&1
  podman network rm -f $(podman network ls -q --filter name=image-backend-check) >/dev/null 2>&1
}
# What a killed run left.
remove_ours
test/image/base-image.sh || { echo "0 passed, 1 failed"; exit 1; }

log="$work/tap.log"
npx tap --disable-coverage --timeout=1500 test/image/image.check.ts 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
summary=$(grep -E '^# \{ total: ' "$log" | tail -n 1)
passed=$(sed -nE 's/.*pass: ([0-9]+).*/\1/p' <<<"$summary")
failed=$(sed -nE 's/.*fail: ([0-9]+).*/\1/p' <<<"$summary")
failed=${failed:-0}
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
left=$(ours)
if [ -n "$left" ]; then
  echo "not ok - the check left containers, volumes or networks behind: $left"
  failed=$((failed + 1))
  status=1
  remove_ours
fi
echo "${passed:-0} passed, $failed failed"
exit "$status"
