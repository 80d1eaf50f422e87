// Copier: copies mapped files from an ObjectSource into a TargetTree with up
// to `workers` threads, of which only CopyConcurrency::limit() work at once:
// fixed, or adapted to the network while the copy runs (copy_concurrency.h).
// Small files go one per worker, so many are in flight at
// once; a large file is cut into segments (between minSegment and
// maxSegment bytes, aiming at one per worker at the ceiling) that different
// workers read at once, each through its own reader (a separate sequential
// stream), in chunkSize reads - so a big file is fetched by many parallel
// ranged GETs. While files wait to start, only a share of the working
// workers (segmentShare of the limit) take further segments, so a mixed
// set's small files overlap its large ones.
// Every file is written to a temp file,
// its CRC64 (segments combined) checked against the server's, its mtime set
// from Last-Modified, and only then renamed into place and journaled.
//
// Errors: the first permanent error stops every worker; `failure()` says
// which side failed (source -> exit code from the OSS status, volume ->
// Capacity/TargetError) and names the key.
//
// Thread-safety: run() is called once, from one thread; it blocks.
// concurrencyLimit() may be called from any thread, also during run().
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "ossvp/populator/clock.h"
#include "ossvp/populator/copy_concurrency.h"
#include "ossvp/populator/exit_code.h"
#include "ossvp/populator/key_mapper.h"
#include "ossvp/populator/object_source.h"
#include "ossvp/populator/progress.h"
#include "ossvp/populator/resume_state.h"
#include "ossvp/populator/target_tree.h"
#include "ossvp/populator/token_bucket.h"

namespace ossvp::populator {

struct CopierOptions {
  int workers = 16;                   // threads: the most files or segments in flight (the ceiling)
  bool adaptive = false;              // false: always `workers` in flight
  int initialWorkers = 16;            // adaptive: in flight at the start...
  int minWorkers = 4;                 // ...and never fewer
  size_t chunkSize = 1 << 20;         // bytes per read (one GET when streamed) and per token-bucket draw
  uint64_t minSegment = 16ULL << 20;  // a file is cut into segments of at least this...
  uint64_t maxSegment = 64ULL << 20;  // ...and at most this
  double segmentShare = 0.25;         // while files wait to start, at most this share of the
                                      // workers read further segments of started files
  int integrityAttempts = 3;          // whole-file attempts on a CRC64 mismatch
  int readAttempts = 3;               // per segment, on transient read errors (after the engine's own)
  int64_t retryBackoffMillis = 500;   // doubles per attempt
  double journalFlushSeconds = 5.0;   // how much finished work a kill -9 may cost
};

// What a Copier works with (not owned; must outlive run()).
struct CopierDeps {
  ObjectSource* source = nullptr;
  TargetTree* tree = nullptr;
  ResumeJournal* journal = nullptr;
  ProgressTracker* progress = nullptr;
  TokenBucket* throttle = nullptr;            // null: no cap
  const std::atomic<bool>* cancel = nullptr;  // null: never cancelled
  Clock* clock = nullptr;                     // times the adaptation; null: the steady clock
};

struct CopyStats {
  uint64_t filesCopied = 0;
  uint64_t bytesCopied = 0;
  uint64_t integrityRetries = 0;
  uint64_t readRetries = 0;
  bool adaptive = false;
  size_t concurrencySettled = 0;   // where the adaptation settled (the fixed count when fixed)
  size_t concurrencyPeak = 0;      // the highest limit of the run
  size_t concurrencyBackoffs = 0;  // cuts after transient read errors
};

class Copier {
 public:
  Copier(CopierDeps deps, CopierOptions options);

  // Copies `files`; returns when all are done or a failure stopped the run.
  // Ok, or the Failure to report.
  std::optional<Failure> run(const std::vector<const MappedEntry*>& files);

  CopyStats stats() const;

  // Files or segments that may be in flight now.
  size_t concurrencyLimit() const { return concurrency_.limit(); }

 private:
  CopierDeps deps_;
  CopierOptions options_;
  CopyConcurrency concurrency_;
  CopyStats stats_;
};

}  // namespace ossvp::populator
