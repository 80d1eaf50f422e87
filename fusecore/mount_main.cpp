// ossmount: mounts an OSS bucket with FUSE3. All logic lives in the fusecore
// libraries (mount_runner.cpp); see `ossmount --help` and fusecore/README.md.
#include "ossvp/fusecore/fuse_mount.h"

int main(int argc, char** argv) { return ossvp::fusecore::ossmountMain(argc, argv); }
