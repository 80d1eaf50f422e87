#include <spdlog/fmt/fmt.h>

#include <algorithm>
#include <chrono>
#include <unordered_set>

#include "ossvp/common/log.h"
#include "ossvp/common/rfc3339.h"
#include "ossvp/populator/capacity.h"
#include "ossvp/populator/copier.h"
#include "ossvp/populator/populator.h"
#include "ossvp/populator/resume_state.h"
#include "ossvp/populator/target_tree.h"
#include "ossvp/populator/token_bucket.h"

namespace ossvp::populator {

namespace {

Failure targetFailure(const Status& st) { return failureFromTargetStatus(st); }

// Everything after the target is open and the listing is in.
void copyListed(const PopulatorConfig& config, ObjectSource& source, TargetTree& tree, ProgressTracker& progress,
                const std::atomic<bool>* cancel, const KeyMapping& mapping, RunSummary* summary) {
  // Resume decisions.
  auto journal = ResumeJournal::open(tree);
  if (!journal.isOk()) {
    summary->failure = targetFailure(journal.status());
    return;
  }
  progress.setPhase(kPhaseChecking);
  auto space = statVolume(tree.root());
  if (!space.isOk()) {
    summary->failure = targetFailure(space.status());
    return;
  }
  CapacityNeed need;
  need.sourceBytes = mapping.fileBytes;
  need.sourceObjects = mapping.files.size() + mapping.directories.size();
  std::vector<const MappedEntry*> todo;
  uint64_t skippedBytes = 0;
  for (const auto& f : mapping.files) {
    const JournalEntry* je = journal.value()->find(f.object.key);
    bool skip = false;
    if (je) {
      auto st = tree.stat(f.components);
      skip = st.isOk() && isAlreadyComplete(je, f.object, &st.value());
    }
    if (skip) {
      ++summary->objectsSkipped;
      skippedBytes += f.object.size;
      continue;
    }
    todo.push_back(&f);
    addFileToCopy(&need, f.object.size, space->blockSize);
  }
  need.inodesToCreate += mapping.directories.size();
  progress.addBytes(skippedBytes);
  progress.addObjects(summary->objectsSkipped);
  if (summary->objectsSkipped) {
    logInfo("resuming: {} files ({}) already complete, {} to copy", summary->objectsSkipped, formatGiB(skippedBytes),
            todo.size());
  }
  Status cap = checkCapacity(need, *space);
  if (!cap.isOk()) {
    summary->failure = failureOf(ExitCode::Capacity, cap.message());
    return;
  }
  // Directory markers exist even when empty.
  for (const auto& d : mapping.directories) {
    auto fd = tree.openDir(d.components, d.components.size(), true);
    if (!fd.isOk()) {
      summary->failure = targetFailure(fd.status());
      return;
    }
  }

  // Large files first: they take longest, small ones fill the gaps at the end.
  std::stable_sort(todo.begin(), todo.end(),
                   [](const MappedEntry* a, const MappedEntry* b) { return a->object.size > b->object.size; });
  progress.setPhase(kPhaseCopying);
  std::unique_ptr<TokenBucket> throttle;
  if (config.throughputMBps > 0) {
    double rate = config.throughputMBps * 1e6;
    throttle = std::make_unique<TokenBucket>(rate, static_cast<uint64_t>(rate / 10), steadyClock());
  }
  CopierOptions opts = copierOptionsFor(config);
  Copier copier(CopierDeps{&source, &tree, journal.value().get(), &progress, throttle.get(), cancel}, opts);
  auto started = std::chrono::steady_clock::now();
  std::optional<Failure> failure = copier.run(todo);
  CopyStats stats = copier.stats();
  summary->objectsCopied = stats.filesCopied;
  summary->bytesCopied = stats.bytesCopied;
  summary->concurrency = RunConcurrency{stats.adaptive, stats.concurrencySettled, stats.concurrencyPeak};
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  logInfo("copied {} files ({}) in {:.1f} s; {} read retries, {} integrity retries; {}", stats.filesCopied,
          formatGiB(stats.bytesCopied), secs, stats.readRetries, stats.integrityRetries,
          describeConcurrency(stats, opts));
  if (failure) {
    summary->failure = std::move(failure);
    return;
  }

  progress.setPhase(kPhaseFinalizing);
  // Deepest first, so setting a child's mtime does not disturb its parent's.
  std::vector<const MappedEntry*> dirs;
  for (const auto& d : mapping.directories) dirs.push_back(&d);
  std::sort(dirs.begin(), dirs.end(),
            [](const MappedEntry* a, const MappedEntry* b) { return a->components.size() > b->components.size(); });
  for (const MappedEntry* d : dirs) {
    Status st = tree.setDirMtime(d->components, d->object.mtimeUnix);
    if (!st.isOk()) logWarn("{}", st.message());
    progress.addObjects(1);
  }
  summary->directories = dirs.size();
  Status st = tree.syncAll();  // fsync before success
  if (!st.isOk()) {
    summary->failure = targetFailure(st);
    return;
  }
  CompletionMarker marker{config.bucket,
                          config.prefix(),
                          mapping.files.size(),
                          mapping.fileBytes,
                          mapping.directories.size(),
                          formatRfc3339(std::chrono::system_clock::now())};
  st = writeCompletionMarker(tree, marker);
  if (!st.isOk()) {
    summary->failure = targetFailure(st);
    return;
  }
  ResumeJournal::remove(tree);
}

// Everything after the target is open and locked: the completion marker,
// the listing and the copy.
void populateTarget(const PopulatorConfig& config, ObjectSource& source, TargetTree& tree, ProgressTracker& progress,
                    const std::atomic<bool>* cancel, RunSummary* summary) {
  const std::string prefix = config.prefix();
  if (auto marker = readCompletionMarker(tree)) {
    if (marker->bucket == config.bucket && marker->prefix == prefix) {
      logInfo("the volume already holds a complete copy of oss://{}/{} (finished {}): nothing to do", marker->bucket,
              marker->prefix, marker->finishedAt);
      ResumeJournal::remove(tree);  // left behind if a run stopped between the marker and the journal's removal
      summary->alreadyComplete = true;
      summary->objectsTotal = marker->objects + marker->directories;
      summary->objectsSkipped = marker->objects;
      summary->directories = marker->directories;
      summary->bytesTotal = marker->bytes;
      progress.setTotals(marker->bytes, summary->objectsTotal);
      progress.addBytes(marker->bytes);
      progress.addObjects(summary->objectsTotal);
      return;
    }
    summary->failure =
        failureOf(ExitCode::BadConfig, fmt::format("the volume already holds a completed copy of oss://{}/{}, not of "
                                                   "oss://{}/{}: use a new, empty volume",
                                                   marker->bucket, marker->prefix, config.bucket, prefix));
    return;
  }

  progress.setPhase(kPhaseListing);
  logInfo("listing oss://{}/{}", config.bucket, prefix);
  auto listed = source.list(prefix);
  if (!listed.isOk()) {
    summary->failure = failureFromSourceStatus(listed.status());
    return;
  }
  size_t maxRel = 4095 - config.target.size() - 1 - 1;
  KeyMapping mapping = mapKeys(prefix, *listed, maxRel);
  summary->rejected = mapping.rejected;
  for (const auto& r : mapping.rejected) logWarn("key '{}' {}: not copied", r.key, r.reason);
  summary->objectsTotal = mapping.files.size() + mapping.directories.size();
  summary->bytesTotal = mapping.fileBytes;
  progress.setTotals(mapping.fileBytes, summary->objectsTotal);
  logInfo("source holds {} in {} files and {} directories{}", formatGiB(mapping.fileBytes), mapping.files.size(),
          mapping.directories.size(),
          mapping.rejected.empty() ? "" : fmt::format("; {} keys cannot be files", mapping.rejected.size()));
  if (!mapping.rejected.empty() && config.strictKeys) {
    const auto& r = mapping.rejected.front();
    summary->failure = failureOf(ExitCode::InvalidKeys,
                                 fmt::format("{} keys cannot be files, e.g. '{}' {} (rename them in the bucket, or run "
                                             "without --strict-keys to skip them)",
                                             mapping.rejected.size(), r.key, r.reason));
    return;
  }
  if (summary->objectsTotal == 0 && !config.allowEmpty) {
    summary->failure = Failure{ExitCode::NotFound, "EmptySource",
                               fmt::format("no objects under oss://{}/{}: check spec.path (it is a prefix inside the "
                                           "bucket, e.g. /data/)",
                                           config.bucket, prefix)};
    return;
  }
  copyListed(config, source, tree, progress, cancel, mapping, summary);
}

}  // namespace

CopierOptions copierOptionsFor(const PopulatorConfig& config) {
  CopierOptions opts;
  opts.workers = config.concurrencyCeiling();
  opts.adaptive = !config.concurrencyFixed;
  opts.initialWorkers = config.concurrency;
  opts.minWorkers = config.minConcurrency;
  // Smaller draws under a cap keep the rate smooth.
  opts.chunkSize = static_cast<size_t>(config.throughputMBps > 0 ? std::min<uint64_t>(1ULL << 20, config.partSize)
                                                                 : config.partSize);
  opts.minSegment = 2 * config.partSize;
  opts.maxSegment = 8 * config.partSize;
  opts.integrityAttempts = config.integrityAttempts;
  return opts;
}

std::string describeConcurrency(const CopyStats& stats, const CopierOptions& options) {
  if (!stats.adaptive) return fmt::format("concurrency fixed at {}", stats.concurrencySettled);
  return fmt::format("concurrency settled at {} (peak {}, adaptive {}..{} from {}; {} cuts after read errors)",
                     stats.concurrencySettled, stats.concurrencyPeak, options.minWorkers, options.workers,
                     options.initialWorkers, stats.concurrencyBackoffs);
}

RunSummary populate(const PopulatorConfig& config, ObjectSource& source, ProgressTracker& progress,
                    const std::atomic<bool>* cancel) {
  auto started = std::chrono::steady_clock::now();
  RunSummary summary;
  summary.bucket = config.bucket;
  summary.path = config.path;
  auto finish = [&]() -> RunSummary {
    summary.durationSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    progress.setPhase(summary.failure ? kPhaseFailed : kPhaseDone);
    return summary;
  };

  auto tree = TargetTree::open(config.target);
  if (!tree.isOk()) {
    summary.failure = tree.status().code() == StatusCode::InvalidArgument
                          ? failureOf(ExitCode::BadConfig, tree.status().message())
                          : targetFailure(tree.status());
    return finish();
  }
  populateTarget(config, source, **tree, progress, cancel, &summary);
  // The state directory keeps only what a later run needs: the journal
  // (resume) or the completion marker (no-op); the lock goes with the tree.
  (*tree)->removeTmpArea();
  return finish();
}

}  // namespace ossvp::populator
