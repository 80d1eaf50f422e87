// runCommand: runs a helper program (the kubelet's podman invocations) to
// completion and captures what it printed. The program is looked up in PATH,
// gets exactly `env` as its environment (values passed there, such as a
// container's secret env values, are not in its argv; podman_command.cpp puts
// in argv only the values of names the podman client itself reads, e.g. PATH),
// stdin from /dev/null, and its stdout and stderr separately.
//
// A deadline bounds every call: a program still running (or whose output pipes
// are still held open) after `timeout` has its whole process group (it is
// started as the leader of a new one) SIGKILLed and reaped, and the call
// returns a Timeout error naming the program and the timeout. Errors name
// argv[0] only: the other words may carry a pod's args, which must not reach
// events or status.
//
// Thread-safety: a free function; safe from any thread (posix_spawn, no fork
// of the multi-threaded caller's memory).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "ossvp/common/result.h"

namespace ossvp::kubesim {

struct CommandResult {
  int exitCode = -1;  // the exit code, or 128+signal
  std::string out;    // stdout
  std::string err;    // stderr
};

// Long enough for a podman call on a loaded 2-core machine (create, init, rm of
// a container: seconds), short enough that a hung podman cannot hold a
// kubelet for long.
inline constexpr std::chrono::milliseconds kDefaultCommandTimeout = std::chrono::seconds(60);
// For a call that waits on purpose for as long as it takes (`podman wait`).
inline constexpr std::chrono::milliseconds kNoCommandTimeout = std::chrono::milliseconds::max();

// An error when the program could not be started at all, or (StatusCode
// Timeout) when it did not finish within `timeout`.
Result<CommandResult> runCommand(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                                 std::chrono::milliseconds timeout = kDefaultCommandTimeout);

}  // namespace ossvp::kubesim
