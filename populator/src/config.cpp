#include "ossvp/populator/config.h"

#include <spdlog/fmt/fmt.h>
#include <CLI/CLI.hpp>

#include "ossvp/common/size_parse.h"
#include "ossvp/populator/exit_code.h"

namespace ossvp::populator {

std::string normalizePrefix(const std::string& path) {
  std::string p = path;
  while (!p.empty() && p.front() == '/') p.erase(p.begin());
  if (!p.empty() && p.back() != '/') p.push_back('/');
  return p;
}

std::string PopulatorConfig::prefix() const { return normalizePrefix(path); }

namespace {

constexpr int kMaxWorkers = 1024;
constexpr int kDefaultCeiling = 128;
// What one request in flight holds: libcurl's 512 KiB receive buffer, the
// handle and the heap around them.
constexpr uint64_t kMemoryPerRequest = 1ULL << 20;

// Whether --concurrency and --max-concurrency were given (flag or env var).
struct ConcurrencyFlags {
  bool fixed = false;
  bool max = false;
};

// Adaptive: the ceiling defaults to the requests the budget holds
// (kMemoryPerRequest each), at most 128; start and floor never exceed the ceiling. The start
// is 64: on both network shapes the copy settled at the default ceiling of
// 64, and climbing there from 32 cost 3-13% of a 2.3 GiB copy in the cloud
// shape (docs/performance-populator.md).
std::string resolveConcurrency(PopulatorConfig& c, ConcurrencyFlags given) {
  if (given.fixed && given.max) {
    return "--concurrency (OSSVP_CONCURRENCY) fixes the copy's concurrency and --max-concurrency "
           "(OSSVP_MAX_CONCURRENCY) bounds the adaptive one: give one of them";
  }
  c.concurrencyFixed = given.fixed;
  if (c.concurrencyFixed) {
    if (c.concurrency < 1 || c.concurrency > kMaxWorkers) {
      return "--concurrency (OSSVP_CONCURRENCY) must be between 1 and 1024";
    }
    return {};
  }
  if (given.max) {
    if (c.maxConcurrency < 1 || c.maxConcurrency > kMaxWorkers) {
      return "--max-concurrency (OSSVP_MAX_CONCURRENCY) must be between 1 and 1024";
    }
  } else {
    uint64_t requests = c.memoryBudget / kMemoryPerRequest;
    c.maxConcurrency = static_cast<int>(std::min<uint64_t>(requests, kDefaultCeiling));
  }
  c.concurrency = std::min(c.concurrency, c.maxConcurrency);
  c.minConcurrency = std::min(c.minConcurrency, c.maxConcurrency);
  return {};
}

std::string validate(PopulatorConfig& c, ConcurrencyFlags concurrency, const std::string& memoryBudget,
                     const std::string& partSize, const std::string& progress, const std::string& logLevel) {
  if (c.endpoint.empty()) return "--endpoint (OSSVP_ENDPOINT) is required, e.g. oss-cn-hangzhou-internal.aliyuncs.com";
  if (c.region.empty()) return "--region (OSSVP_REGION) is required, e.g. cn-hangzhou";
  if (c.bucket.empty()) return "--bucket (OSSVP_BUCKET) is required";
  if (c.target.empty()) return "--target (OSSVP_TARGET) is required: the directory where the volume is mounted";
  if (c.throughputMBps < 0) return "--throughput-mbps (OSSVP_THROUGHPUT_MBPS) must be >= 0 (0 = no cap)";
  if (c.progressIntervalSeconds <= 0 || c.progressIntervalSeconds > 2.0) {
    return "--progress-interval (OSSVP_PROGRESS_INTERVAL) must be in (0, 2] seconds";
  }
  if (c.integrityAttempts < 1) return "--integrity-attempts must be >= 1";
  auto mb = parseByteSize(memoryBudget);
  if (!mb.isOk()) return "--memory-budget (OSSVP_MEMORY_BUDGET): " + mb.status().message();
  c.memoryBudget = *mb;
  if (c.memoryBudget < (16ULL << 20)) return "--memory-budget (OSSVP_MEMORY_BUDGET) must be at least 16MiB";
  auto ps = parseByteSize(partSize);
  if (!ps.isOk()) return "--part-size (OSSVP_PART_SIZE): " + ps.status().message();
  c.partSize = *ps;
  if (c.partSize < (64ULL << 10)) return "--part-size (OSSVP_PART_SIZE) must be at least 64KiB";
  std::string err = resolveConcurrency(c, concurrency);
  if (!err.empty()) return err;
  // Reads stream into the target (stream_source.h): a request in flight
  // holds libcurl's receive buffer, not a part. Counted at the ceiling the
  // adaptation may reach.
  if (static_cast<uint64_t>(c.concurrencyCeiling()) * kMemoryPerRequest > c.memoryBudget) {
    return fmt::format(
        "--memory-budget {} is too small for {} {}: allow at least 1MiB per file or segment in flight, or lower it",
        memoryBudget, c.concurrencyFixed ? "--concurrency" : "--max-concurrency", c.concurrencyCeiling());
  }
  for (const auto& o : c.endpointOverrides) {
    auto eq = o.find('=');
    if (eq == std::string::npos || eq == 0 ||
        (o.compare(eq + 1, 7, "http://") != 0 && o.compare(eq + 1, 8, "https://") != 0)) {
      return fmt::format(
          "--endpoint-override '{}' must be HOST=URL, e.g. oss-cn-hangzhou.aliyuncs.com=http://127.0.0.1:9000", o);
    }
  }
  if (progress == "auto")
    c.progressMode = ProgressMode::Auto;
  else if (progress == "json")
    c.progressMode = ProgressMode::Json;
  else if (progress == "bar")
    c.progressMode = ProgressMode::Bar;
  else if (progress == "none")
    c.progressMode = ProgressMode::None;
  else
    return "--progress (OSSVP_PROGRESS) must be auto, json, bar or none";
  if (!parseLogLevel(logLevel, &c.logLevel)) return "--log-level (OSSVP_LOG_LEVEL) must be debug, info, warn or error";
  return {};
}

}  // namespace

ConfigParse parseConfig(int argc, const char* const* argv) {
  PopulatorConfig c;
  std::string memoryBudget = "512MiB", partSize = "8MiB", progress = "auto", logLevel = "info";
  CLI::App app{"ossvp-populator: copy an OSS bucket path into a volume, verified and resumable"};
  app.option_defaults()->always_capture_default();
  app.add_option("--endpoint", c.endpoint, "OSS endpoint host")->envname("OSSVP_ENDPOINT");
  app.add_option("--region", c.region, "OSS region, e.g. cn-hangzhou")->envname("OSSVP_REGION");
  app.add_option("--bucket", c.bucket, "bucket name")->envname("OSSVP_BUCKET");
  app.add_option("--path", c.path, "path (prefix) inside the bucket")->envname("OSSVP_PATH");
  app.add_option("--target", c.target, "directory the volume is mounted at")->envname("OSSVP_TARGET");
  app.add_option("--throughput-mbps", c.throughputMBps, "download cap in MB/s (0 = none)")
      ->envname("OSSVP_THROUGHPUT_MBPS");
  CLI::Option* fixed = app.add_option("--concurrency", c.concurrency,
                                      "files or segments in flight, fixed (default: adaptive, starting at 64 or the "
                                      "ceiling, see --max-concurrency)")
                           ->default_str("")
                           ->envname("OSSVP_CONCURRENCY");
  CLI::Option* ceiling =
      app.add_option("--max-concurrency", c.maxConcurrency,
                     "ceiling of the adaptive concurrency (default: memory budget / 1MiB, at most 128)")
          ->default_str("")
          ->envname("OSSVP_MAX_CONCURRENCY");
  app.add_option("--memory-budget", memoryBudget,
                 "bound on the copy's memory (1MiB per request in flight), e.g. 512MiB")
      ->envname("OSSVP_MEMORY_BUDGET");
  app.add_option("--part-size", partSize, "size of each ranged GET (1MiB at most under --throughput-mbps)")
      ->envname("OSSVP_PART_SIZE");
  app.add_option("--endpoint-override", c.endpointOverrides,
                 "HOST=URL: send requests for HOST to URL (repeatable; env: comma-separated)")
      ->envname("OSSVP_ENDPOINT_OVERRIDE")
      ->delimiter(',');
  app.add_option("--termination-log", c.terminationLog, "where the exit summary is written")
      ->envname("OSSVP_TERMINATION_LOG");
  app.add_option("--progress", progress, "auto | json | bar | none")->envname("OSSVP_PROGRESS");
  app.add_option("--progress-interval", c.progressIntervalSeconds, "seconds between progress lines (<= 2)")
      ->envname("OSSVP_PROGRESS_INTERVAL");
  app.add_flag("--strict-keys", c.strictKeys, "fail on keys that cannot be files instead of skipping them")
      ->envname("OSSVP_STRICT_KEYS");
  app.add_flag("--allow-empty", c.allowEmpty, "succeed when the path holds no objects")->envname("OSSVP_ALLOW_EMPTY");
  app.add_option("--integrity-attempts", c.integrityAttempts, "attempts per file on a CRC64 mismatch")
      ->envname("OSSVP_INTEGRITY_ATTEMPTS");
  app.add_option("--log-level", logLevel, "debug | info | warn | error")->envname("OSSVP_LOG_LEVEL");
  app.add_flag("--log-json", c.jsonLogs, "JSON log lines on stderr")->envname("OSSVP_LOG_JSON");

  ConfigParse out;
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    out.output = app.help();
    out.exitCode = 0;
    return out;
  } catch (const CLI::ParseError& e) {
    out.output = std::string("ossvp-populator: ") + e.what() + " (see --help)";
    out.exitCode = static_cast<int>(ExitCode::BadConfig);
    return out;
  }
  ConcurrencyFlags given{fixed->count() > 0, ceiling->count() > 0};
  std::string err = validate(c, given, memoryBudget, partSize, progress, logLevel);
  if (!err.empty()) {
    out.output = "ossvp-populator: " + err;
    out.exitCode = static_cast<int>(ExitCode::BadConfig);
    return out;
  }
  out.config = std::move(c);
  return out;
}

}  // namespace ossvp::populator
