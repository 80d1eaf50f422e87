// PopulatorConfig: everything ossvp-populator is told, from flags or from the
// environment (the controller sets env vars in the Pod spec; a flag wins over
// its env var). Credentials are NOT here: ossclient's providers read them from
// the AccessKey or RRSA env vars, so they never appear in argv.
//
// Thread-safety: a plain value; parseConfig() is a pure function of argv+env.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ossvp/common/log.h"

namespace ossvp::populator {

enum class ProgressMode { Auto, Json, Bar, None };

struct PopulatorConfig {
  std::string endpoint;  // e.g. oss-cn-hangzhou-internal.aliyuncs.com
  std::string region;    // e.g. cn-hangzhou
  std::string bucket;
  std::string path = "/";     // as the user wrote it (prefix() is the normalized form)
  std::string target;         // the mounted volume
  double throughputMBps = 0;  // 0: no cap; MB = 1,000,000 bytes
  // Files or segments of large files in flight. Adaptive by default: starts
  // at `concurrency` (64, or the ceiling when that is lower), moves between
  // minConcurrency and maxConcurrency with the throughput the copy delivers.
  // `--concurrency N` fixes it at N: then `concurrency` is the only number
  // that counts (minConcurrency and maxConcurrency bound the adaptation
  // only; concurrencyCeiling() is the ceiling in both cases).
  int concurrency = 64;
  bool concurrencyFixed = false;  // --concurrency (OSSVP_CONCURRENCY) was given: no adaptation
  int minConcurrency = 8;
  int maxConcurrency = 128;                    // --max-concurrency; by default the requests the memory budget holds
  uint64_t memoryBudget = 512ULL << 20;        // bound on the copy's memory: 1 MiB per request in flight
  uint64_t partSize = 8ULL << 20;              // bytes per ranged GET, streamed into the target file
  std::vector<std::string> endpointOverrides;  // HOST=URL
  std::string terminationLog = "/dev/termination-log";
  ProgressMode progressMode = ProgressMode::Auto;
  double progressIntervalSeconds = 2.0;  // stdout lines; the Pod annotation is never faster than 2 s
  bool strictKeys = false;               // fail (exit 8) on keys that cannot be files
  bool allowEmpty = false;               // an empty source succeeds instead of exit 4
  int integrityAttempts = 3;             // whole-file attempts on a CRC64 mismatch
  LogLevel logLevel = LogLevel::Info;
  bool jsonLogs = false;

  // The most files or segments ever in flight: what memory and connections are sized for.
  int concurrencyCeiling() const { return concurrencyFixed ? concurrency : maxConcurrency; }
  // The bucket path as a key prefix: normalizePrefix(path).
  std::string prefix() const;
};

// "/a/b" -> "a/b/", "/" or "" -> "", "a/" -> "a/".
std::string normalizePrefix(const std::string& path);

struct ConfigParse {
  std::optional<PopulatorConfig> config;  // set when the run should go on
  int exitCode = 0;                       // otherwise: exit with this code...
  std::string output;                     // ...after printing this (help or the error)
};

// Parses argv (flags win) and the environment (OSSVP_* variables) and
// validates the result. Errors name the flag and its env var.
ConfigParse parseConfig(int argc, const char* const* argv);

}  // namespace ossvp::populator
