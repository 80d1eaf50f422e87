# shellcheck shell=bash
# The digest of the sources each ossvp image is built from. hack/images.sh
# labels each image with it (io.ossvp.sources), and the container tests
# compare the label with the checkout's: an image built from other sources
# (an older commit, an uncommitted edit) is told apart by content, not by time.
# Sourced; run from the source root.

# image_source_digest controller|populator: prints 16 hex digits.
image_source_digest() {
  local -a dirs
  case "$1" in
    controller) dirs=(controller common) ;;
    populator) dirs=(populator fusecore ossclient common) ;;
    *) echo "image_source_digest: unknown program '$1' (controller or populator)" >&2; return 2 ;;
  esac
  find "${dirs[@]}" cmake CMakeLists.txt hack/lib/build-image-binary.sh -type f -not -name '*.swp' -print0 \
    | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16
}
