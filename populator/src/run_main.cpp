#include <malloc.h>
#include <spdlog/fmt/fmt.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "ossvp/common/log.h"
#include "ossvp/common/secret_redactor.h"
#include "ossvp/fusecore/read_engine.h"
#include "ossvp/ossclient/credentials.h"
#include "ossvp/ossclient/curl_object_client.h"
#include "ossvp/populator/engine_source.h"
#include "ossvp/populator/populator.h"
#include "ossvp/populator/progress_reporter.h"

namespace ossvp::populator {

namespace {

std::atomic<bool> gCancel{false};

extern "C" void onSignal(int) { gCancel.store(true); }

void installSignalHandlers() {
  struct sigaction sa {};
  sa.sa_handler = onSignal;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGTERM, &sa, nullptr);
  ::sigaction(SIGINT, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

// Builds the OSS client, credentials and read engine. A Failure when the
// configuration cannot work (no credentials, bad override).
Result<std::shared_ptr<fusecore::ReadEngine>> makeEngine(const PopulatorConfig& c, Failure* why) {
  ossclient::ClientOptions opts;
  opts.endpoint = c.endpoint;
  opts.region = c.region;
  for (const auto& o : c.endpointOverrides) {
    auto eo = ossclient::parseEndpointOverride(o);
    if (!eo.isOk()) {
      *why = failureOf(ExitCode::BadConfig, "--endpoint-override: " + eo.status().message());
      return eo.status();
    }
    opts.endpointOverrides.push_back(*eo);
  }
  // Sized for the most files or segments the copy may ever have in flight.
  opts.maxConnections = std::max(64, c.concurrencyCeiling() * 2);
  opts.userAgent = "ossvp-populator/0.1";
  auto normalized = ossclient::normalizeOptions(opts);
  if (!normalized.isOk()) {
    *why = failureOf(ExitCode::BadConfig, normalized.status().message());
    return normalized.status();
  }
  auto creds = ossclient::makeDefaultCredentialsChain(*normalized);
  if (!creds.isOk()) {
    *why = Failure{ExitCode::BadConfig, "NoCredentials", creds.status().message()};
    return creds.status();
  }
  logInfo("credentials: {}", (*creds)->describe());
  auto client = ossclient::makeCurlObjectClient(*normalized, *creds);
  if (!client.isOk()) {
    *why = failureOf(ExitCode::BadConfig, client.status().message());
    return client.status();
  }
  fusecore::EngineOptions eo;
  // The engine lends its parts to the copy workers (no copy buffers), so it
  // gets the budget less what lives outside it: code, libraries and thread
  // stacks (24 MiB), and per request in flight libcurl's 512 KiB receive
  // buffer plus the heap that small objects' bodies leave behind in the
  // malloc arenas (freed chunks below the mmap threshold stay resident).
  // Measured: 4 x 1 GiB + 10,000 x 128 KiB at a 512 MiB budget peaked at
  // 524 MiB with a flat 48 MiB reserve. The reserve is capped at a quarter
  // of the budget so small budgets still get parts.
  eo.maxInflight = static_cast<size_t>(std::max(64, c.concurrencyCeiling() * 2));
  // Every worker reads its own file, so the workers, not the engine's
  // prefetch, set the requests in flight: prefetch may use all of its share
  // at once (the engine still backs off when GETs are throttled).
  eo.initialInflight = eo.maxInflight;
  uint64_t overhead = std::min<uint64_t>((24ULL << 20) + eo.maxInflight * (1ULL << 20), c.memoryBudget / 4);
  eo.memoryBudget = c.memoryBudget - overhead;
  eo.partSize = c.partSize;
  if (c.throughputMBps > 0) {
    // Keep prefetch about one second ahead of a capped reader.
    eo.maxWindow = std::max<uint64_t>(2 * c.partSize, static_cast<uint64_t>(c.throughputMBps * 1e6));
  }
  eo.maxWindow = std::min<uint64_t>(eo.maxWindow, eo.memoryBudget / 4);
  std::shared_ptr<ossclient::ObjectClient> shared(std::move(client).value());
  return std::make_shared<fusecore::ReadEngine>(shared, eo);
}

int finishRun(const PopulatorConfig& c, const RunSummary& summary) {
  std::string json = summary.toJson();
  writeTerminationLog(c.terminationLog, json);
  if (summary.failure) {
    logError("population failed ({}, exit {}): {}", summary.failure->reason, static_cast<int>(summary.exitCode()),
             summary.failure->message);
  } else {
    logInfo("population succeeded: {}", json);
  }
  return static_cast<int>(summary.exitCode());
}

}  // namespace

int runMain(int argc, char** argv) {
  ConfigParse parsed = parseConfig(argc, argv);
  if (!parsed.config) {
    std::fprintf(parsed.exitCode == 0 ? stdout : stderr, "%s\n", parsed.output.c_str());
    if (parsed.exitCode != 0) {
      // The controller reads the reason from the termination log even for a bad flag.
      const char* tl = std::getenv("OSSVP_TERMINATION_LOG");
      RunSummary s;
      s.failure = failureOf(ExitCode::BadConfig, parsed.output);
      writeTerminationLog(tl ? tl : "/dev/termination-log", s.toJson());
    }
    return parsed.exitCode;
  }
  const PopulatorConfig& c = *parsed.config;
  initLogging(LogOptions{c.logLevel, c.jsonLogs, "ossvp-populator"});
  installSignalHandlers();
  // Part buffers come and go by the thousand: a fixed mmap threshold returns
  // them to the OS at once (glibc's dynamic threshold would keep freed 8 MiB
  // parts in the heap, growing RSS past the budget), and few arenas. The
  // threshold sits above libcurl's 512 KiB receive buffer, which is
  // allocated per transfer: below it, every small object cost an mmap, page
  // faults on first receive and a munmap with TLB shootdowns. Up to 8 MiB
  // of free heap top is kept per arena instead of being trimmed each time.
  ::mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
  ::mallopt(M_TRIM_THRESHOLD, 8 * 1024 * 1024);
  ::mallopt(M_ARENA_MAX, 4);
  logInfo("ossvp-populator: oss://{}/{} (endpoint {}, region {}) -> {}; concurrency {}, part {}, memory {}, cap {}",
          c.bucket, c.prefix(), c.endpoint, c.region, c.target,
          c.concurrencyFixed
              ? fmt::format("fixed at {}", c.concurrency)
              : fmt::format("adaptive {}..{} from {}", c.minConcurrency, c.maxConcurrency, c.concurrency),
          c.partSize, c.memoryBudget,
          c.throughputMBps > 0 ? fmt::format("{} MB/s", c.throughputMBps) : std::string("none"));

  ProgressTracker progress;
  std::unique_ptr<PodAnnotator> annotator;
  if (auto pod = detectPodTarget()) {
    logInfo("progress annotation {} on pod {}/{} via {}", kProgressAnnotation, pod->ns, pod->pod, pod->apiUrl);
    annotator = std::make_unique<PodAnnotator>(*pod);
  }
  ProgressReporter reporter(&progress, resolveProgressMode(c.progressMode), c.progressIntervalSeconds,
                            std::move(annotator));
  reporter.start();

  RunSummary summary;
  Failure why;
  auto engine = makeEngine(c, &why);
  if (!engine.isOk()) {
    summary.bucket = c.bucket;
    summary.path = c.path;
    summary.failure = why;
    progress.setPhase(kPhaseFailed);
  } else {
    EngineSource source(*engine, c.bucket);
    summary = populate(c, source, progress, &gCancel);
    fusecore::EngineStats es = (*engine)->stats();
    logInfo(
        "read engine: {} GETs ({} prefetch, {} retried), {} MiB fetched, {} part buffers reused, memory peak {} MiB",
        es.getRequests, es.prefetchRequests, es.retries, es.bytesFetched >> 20, es.buffersReused, es.memoryPeak >> 20);
  }
  reporter.stop();
  return finishRun(c, summary);
}

}  // namespace ossvp::populator
