// RunSummary: what a run did, written as JSON to the termination log
// (/dev/termination-log by default; Kubernetes shows it in the Pod's
// terminated state, limited to 4096 bytes) and logged at exit.
// Success: {"result":"Succeeded","exitCode":0,"bucket":..,"path":..,
//   "bytesTotal":..,"objectsTotal":..,"objectsCopied":..,"objectsSkipped":..,
//   "bytesCopied":..,"directories":..,"rejectedKeys":N,"rejected":[{"key","reason"}..],
//   "durationSeconds":..,"throughputMBps":..,
//   "concurrency":{"mode":"adaptive"|"fixed","settled":N,"peak":N}}
//   ("concurrency" only when files were copied)
// Failure: {"result":"Failed","exitCode":N,"reason":"AuthFailed","message":"..",
//   "retryable":false, ...counters so far}
//
// Thread-safety: a plain value; writeTerminationLog() is not reentrant.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ossvp/populator/exit_code.h"
#include "ossvp/populator/key_mapper.h"

namespace ossvp::populator {

// The copy's files or segments in flight: where the adaptation settled at
// the end (between probes) and the highest it went; both the fixed count
// when fixed.
struct RunConcurrency {
  bool adaptive = false;
  size_t settled = 0;
  size_t peak = 0;
};

struct RunSummary {
  std::string bucket;
  std::string path;
  uint64_t bytesTotal = 0;
  uint64_t objectsTotal = 0;
  uint64_t objectsCopied = 0;
  uint64_t objectsSkipped = 0;  // already complete from an earlier attempt
  uint64_t bytesCopied = 0;
  uint64_t directories = 0;
  bool alreadyComplete = false;  // the completion marker made this run a no-op
  std::vector<RejectedKey> rejected;
  double durationSeconds = 0;
  std::optional<RunConcurrency> concurrency;  // set once the copy ran
  std::optional<Failure> failure;

  ExitCode exitCode() const { return failure ? failure->code : ExitCode::Ok; }
  // At most `maxBytes` of JSON: the rejected list and then the message are
  // shortened to fit, and the result always parses.
  std::string toJson(size_t maxBytes = 4096) const;
};

// Writes `json` to `path`; a missing /dev/termination-log (not in a Pod) is
// not an error worth more than a debug line.
void writeTerminationLog(const std::string& path, const std::string& json);

}  // namespace ossvp::populator
