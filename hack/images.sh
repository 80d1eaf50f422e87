#!/usr/bin/env bash
# Builds the two ossvp container images, ossvp-controller:<version> and
# ossvp-populator:<version>, into the local podman storage, from
# controller/Dockerfile and populator/Dockerfile, then runs each one's --help
# as uid 65532 with a read-only root filesystem and prints the image sizes.
#
# No image registry is needed: the Debian base images the Dockerfiles name
# (debian:bookworm, debian:bookworm-slim) are made with debootstrap from the
# host's own Debian mirror, and the Dockerfiles' apt-get steps use that mirror
# too. The debootstrap tarballs are cached (OSSVP_IMAGES_CACHE, default
# /var/cache/ossvp-images) and podman's layer cache is reused, so a second run
# only rebuilds what changed. Heavy steps run at the lowest CPU and I/O
# priority. Needs root (debootstrap, podman's system storage).
#
# Environment:
#   OSSVP_IMAGES_CACHE   cache folder (debootstrap tarballs, containers.conf)
#   OSSVP_DEBIAN_MIRROR  Debian mirror URL (default: the host's, from apt)
#   OSSVP_DEBIAN_SECURITY_MIRROR  Debian security mirror URL (default: the host's)
#   OSSVP_IMAGES_REBASE=1  remake the base images from a fresh debootstrap
#   OSSVP_IMAGES_CCACHE  the host compiler cache the build stages use, mounted
#                        at /ccache-host (default: this host's ccache folder,
#                        so after hack/test.sh's Release build the images
#                        compile almost nothing; "none": the Dockerfile's own
#                        cache mount, as a plain docker build uses)
set -euo pipefail

cd "$(dirname "$0")/.."
source hack/lib/image-sources.sh
die() { echo "images.sh: error: $*" >&2; exit 1; }
log() { echo "images.sh: $*"; }
low() { nice -n 19 ionice -c3 "$@"; }

[[ $(id -u) -eq 0 ]] || die "run as root (debootstrap and podman's system storage need it): sudo hack/images.sh"

SUITE=bookworm
CACHE=${OSSVP_IMAGES_CACHE:-/var/cache/ossvp-images}
mkdir -p "$CACHE"

# The version: CMake's project() version, which the release manifests must carry.
VERSION=$(sed -n 's/^project(ossvp VERSION \([0-9][0-9.]*\).*/\1/p' CMakeLists.txt)
[[ -n "$VERSION" ]] || die "no 'project(ossvp VERSION x.y.z ...)' line in CMakeLists.txt"
DEPLOYMENT=manifests/base/controller-deployment.yaml
for name in ossvp-controller ossvp-populator; do
  grep -q "/$name:$VERSION\$" "$DEPLOYMENT" \
    || die "$DEPLOYMENT does not name $name:$VERSION (the version in CMakeLists.txt): make them agree"
done

# Tools.
tools=()
command -v podman >/dev/null || tools+=(podman)
command -v buildah >/dev/null || tools+=(buildah)
command -v debootstrap >/dev/null || tools+=(debootstrap)
[[ -x /usr/sbin/runc ]] || tools+=(runc)
if ((${#tools[@]})); then
  log "installing ${tools[*]}"
  export DEBIAN_FRONTEND=noninteractive
  low apt-get update -qq || die "apt-get update failed: check the host's apt sources"
  low apt-get install -y -qq "${tools[@]}" >/dev/null \
    || die "could not install ${tools[*]} with apt-get: install them by hand"
fi

# Podman settings: runc (crun refuses hybrid cgroup hierarchies), cgroupfs,
# and no default ulimits (the defaults exceed what this host allows a
# container); ulimits are given per command instead.
export CONTAINERS_CONF="$CACHE/containers.conf"
cat > "$CONTAINERS_CONF" <<'CONF'
[containers]
default_ulimits = []

[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
CONF
PODMAN=(podman --runtime /usr/sbin/runc --cgroup-manager cgroupfs)
ULIMITS=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)

# The host's Debian mirrors, as apt sees them ("500 <url> bookworm/main ...").
host_mirror() {
  apt-cache policy | awk -v s="$1/main" '$3 == s && $2 ~ /^(https?|file):/ { print $2; exit }'
}
[[ -n "${OSSVP_DEBIAN_MIRROR:-}$(host_mirror "$SUITE")" ]] || low apt-get update -qq  # no package lists yet
MIRROR=${OSSVP_DEBIAN_MIRROR:-$(host_mirror "$SUITE")}
SECURITY=${OSSVP_DEBIAN_SECURITY_MIRROR:-$(host_mirror "$SUITE-security")}
[[ -n "$MIRROR" ]] || die "no Debian $SUITE mirror in the host's apt sources: set OSSVP_DEBIAN_MIRROR=<url>"

# Base images. One minbase debootstrap makes both, cached as two tarballs:
# debian:bookworm as is, debian:bookworm-slim without documentation, manuals
# and translations, with the dpkg filter that keeps later packages' out too.
SLIM_DPKG_FILTER='path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/locale/*'
debootstrap_tarballs() {
  local root
  root=$(mktemp -d "$CACHE/rootfs.XXXXXX")
  log "debootstrap $SUITE from $MIRROR (a few minutes, once)"
  low debootstrap --variant=minbase "$SUITE" "$root" "$MIRROR" > "$CACHE/debootstrap.log" 2>&1 \
    || die "debootstrap failed (log: $CACHE/debootstrap.log); set OSSVP_DEBIAN_MIRROR if the mirror is wrong"
  {
    echo "deb $MIRROR $SUITE main"
    echo "deb $MIRROR $SUITE-updates main"
    [[ -z "$SECURITY" ]] || echo "deb $SECURITY $SUITE-security main"
  } > "$root/etc/apt/sources.list"
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb
  low tar -C "$root" -cf "$CACHE/$SUITE.tar.tmp" .
  echo "$SLIM_DPKG_FILTER" > "$root/etc/dpkg/dpkg.cfg.d/slim"
  find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  rm -rf "$root"/usr/share/{man,groff,info,lintian,locale}/*
  low tar -C "$root" -cf "$CACHE/$SUITE-slim.tar.tmp" .
  mv "$CACHE/$SUITE.tar.tmp" "$CACHE/$SUITE.tar"
  mv "$CACHE/$SUITE-slim.tar.tmp" "$CACHE/$SUITE-slim.tar"
  rm -rf "$root"
}
REBASE=${OSSVP_IMAGES_REBASE:-0}
if [[ ! -s "$CACHE/$SUITE.tar" || ! -s "$CACHE/$SUITE-slim.tar" || "$REBASE" == 1 ]]; then
  debootstrap_tarballs
fi
for tag in "$SUITE" "$SUITE-slim"; do
  image=docker.io/library/debian:$tag
  if [[ "$REBASE" == 1 ]] || ! "${PODMAN[@]}" image exists "$image"; then
    log "importing $image from $CACHE/$tag.tar"
    low "${PODMAN[@]}" import -q --change 'CMD ["bash"]' \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      "$CACHE/$tag.tar" "$image" >/dev/null
  fi
done

# The two images.
declare -A DOCKERFILE=([ossvp-controller]=controller/Dockerfile [ossvp-populator]=populator/Dockerfile)
# The host's compiler cache, shared with the build stages (a bind mount for
# their RUN steps only: nothing of it lands in an image layer).
HOST_CCACHE=${OSSVP_IMAGES_CCACHE:-$(ccache --get-config cache_dir 2>/dev/null || true)}
CCACHE_MOUNT=()
if [[ -n "$HOST_CCACHE" && "$HOST_CCACHE" != none ]]; then
  mkdir -p "$HOST_CCACHE"
  CCACHE_MOUNT=(--volume "$HOST_CCACHE:/ccache-host")
  log "build stages use the host's compiler cache $HOST_CCACHE"
fi
for name in ossvp-controller ossvp-populator; do
  log "building $name:$VERSION from ${DOCKERFILE[$name]}"
  start=$SECONDS
  low "${PODMAN[@]}" build "${ULIMITS[@]}" "${CCACHE_MOUNT[@]}" --network host --pull=never --layers \
    --label "io.ossvp.sources=$(image_source_digest "${name#ossvp-}")" \
    -f "${DOCKERFILE[$name]}" -t "$name:$VERSION" . \
    || die "building $name from ${DOCKERFILE[$name]} failed (see the step above): fix the Dockerfile or the build"
  log "built $name:$VERSION in $((SECONDS - start)) s"
done

# Smoke test: each image runs as uid/gid 65532 by itself, and its program
# starts as the Pods run it (that user, read-only root filesystem).
for name in ossvp-controller ossvp-populator; do
  user=$("${PODMAN[@]}" image inspect --format '{{.Config.User}}' "$name:$VERSION")
  [[ "$user" == 65532:65532 ]] \
    || die "$name:$VERSION runs as '${user:-root}', not 65532:65532: keep 'USER 65532:65532' in ${DOCKERFILE[$name]}"
  out=$("${PODMAN[@]}" run --rm "${ULIMITS[@]}" --network none --read-only --user 65532:65532 \
          "$name:$VERSION" --help 2>&1) \
    || die "$name:$VERSION --help failed as uid 65532 with a read-only root:"$'\n'"$out"
  grep -q '^Usage:' <<<"$out" || die "$name:$VERSION --help printed no usage:"$'\n'"$out"
  log "$name:$VERSION --help ok (uid 65532, read-only root)"
done

log "images (local storage; tag and push them to your registry, then set them in $DEPLOYMENT):"
"${PODMAN[@]}" images --format '{{.Repository}}:{{.Tag}}  {{.Size}}' \
  | grep -E "/ossvp-(controller|populator):$VERSION " || die "built images not found in podman storage"
