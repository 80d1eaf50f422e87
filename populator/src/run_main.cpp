#include <malloc.h>
#include <spdlog/fmt/fmt.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "ossvp/common/log.h"
#include "ossvp/common/secret_redactor.h"
#include "ossvp/ossclient/credentials.h"
#include "ossvp/ossclient/curl_object_client.h"
#include "ossvp/populator/populator.h"
#include "ossvp/populator/progress_reporter.h"
#include "ossvp/populator/stream_source.h"

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

// Builds the OSS client and its credentials. A Failure when the
// configuration cannot work (no credentials, bad override).
Result<std::shared_ptr<ossclient::ObjectClient>> makeClient(const PopulatorConfig& c, Failure* why) {
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
  return std::shared_ptr<ossclient::ObjectClient>(std::move(client).value());
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
  auto client = makeClient(c, &why);
  if (!client.isOk()) {
    summary.bucket = c.bucket;
    summary.path = c.path;
    summary.failure = why;
    progress.setPhase(kPhaseFailed);
  } else {
    StreamSource source(*client, c.bucket);
    summary = populate(c, source, progress, &gCancel);
    logInfo("reads: {} GETs, {} MiB received", source.getRequests(), source.bytesReceived() >> 20);
  }
  reporter.stop();
  return finishRun(c, summary);
}

}  // namespace ossvp::populator
