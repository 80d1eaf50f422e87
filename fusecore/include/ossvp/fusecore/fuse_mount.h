// The FUSE side of ossmount. runFuseSession() mounts `fs` at
// config.mountpoint with the FUSE3 low-level API (multithreaded loop, 1 MiB
// requests, readdirplus, raised max_background and bdi readahead), calls
// onReady once the mount is live, and returns after an unmount or
// SIGTERM/SIGINT/SIGHUP (it then unmounts, lazily if files are open).
// ossmountMain() is the whole binary: parse, credentials, client, daemonize,
// mount.
//
// Thread-safety: call once per process (FUSE signal handlers are global).
#pragma once

#include <functional>

#include "ossvp/fusecore/filesystem.h"
#include "ossvp/fusecore/mount_config.h"

namespace ossvp::fusecore {

// Returns 0 after a clean unmount, non-zero when mounting failed.
int runFuseSession(Filesystem& fs, const MountConfig& config, const std::function<void()>& onReady);

int ossmountMain(int argc, char** argv);

}  // namespace ossvp::fusecore
