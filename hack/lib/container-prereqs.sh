# shellcheck shell=bash
# Prerequisites of the tests that run real containers (kube-sim --runtime
# podman): root, podman, runc and images in the local podman storage.
# Sourced by those tests before anything else.
#
# skip MESSAGE: exit 77 (ctest's SKIP_RETURN_CODE), the reason printed; a
# failure instead when OSSVP_REQUIRE_IMAGES=1, which hack/test.sh sets after
# building the images, so that the test run cannot pass without them.
skip() {
  [[ "${OSSVP_REQUIRE_IMAGES:-0}" == 1 ]] && { echo "FAIL (OSSVP_REQUIRE_IMAGES=1): $*"; exit 1; }
  echo "SKIP: $*"
  exit 77
}

# require_container_runtime IMAGE...: skips unless root, podman, runc and
# every IMAGE are here.
require_container_runtime() {
  [[ $(id -u) -eq 0 ]] || skip "needs root (podman's system storage)"
  command -v podman > /dev/null || skip "podman is not installed (hack/install-deps.sh)"
  [[ -x /usr/sbin/runc ]] || skip "/usr/sbin/runc is not installed (hack/install-deps.sh)"
  local image
  for image in "$@"; do
    podman image exists "$image" || skip "no $image in the local podman storage (sudo hack/images.sh makes it)"
  done
}
