// runCommand: runs a helper program (the kubelet's podman invocations) to
// completion and captures what it printed. The program is looked up in PATH,
// gets exactly `env` as its environment (values passed there, such as a
// container's secret env values, are not in its argv; podman_command.cpp puts
// in argv only the values of names the podman client itself reads, e.g. PATH),
// stdin from /dev/null, and its stdout and stderr separately.
//
// Thread-safety: a free function; safe from any thread (posix_spawn, no fork
// of the multi-threaded caller's memory).
#pragma once

#include <string>
#include <vector>

#include "ossvp/common/result.h"

namespace ossvp::kubesim {

struct CommandResult {
  int exitCode = -1;  // the exit code, or 128+signal
  std::string out;    // stdout
  std::string err;    // stderr
};

// An error only when the program could not be started at all.
Result<CommandResult> runCommand(const std::vector<std::string>& argv, const std::vector<std::string>& env);

}  // namespace ossvp::kubesim
