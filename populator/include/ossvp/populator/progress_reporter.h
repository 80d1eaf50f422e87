// ProgressReporter: a thread that, every interval, prints the progress
// snapshot to stdout (a JSON line, or a redrawn bar when stdout is a TTY) and
// patches the Pod annotation at most every 2 s. stop() emits a final line and
// a final patch (waiting out the 2 s spacing), so the last state the
// controller sees is the final one.
//
// Thread-safety: start()/stop() from one thread; the reporter thread only
// reads the (thread-safe) tracker.
#pragma once

#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <thread>

#include "ossvp/populator/config.h"
#include "ossvp/populator/pod_annotator.h"
#include "ossvp/populator/progress.h"

namespace ossvp::populator {

class ProgressReporter {
 public:
  // `mode` must be resolved (Json, Bar or None). `annotator` may be null.
  ProgressReporter(ProgressTracker* tracker, ProgressMode mode, double intervalSeconds,
                   std::unique_ptr<PodAnnotator> annotator, std::FILE* out = stdout);
  ~ProgressReporter();

  void start();
  void stop();  // idempotent

 private:
  void loop();
  void emit(bool final);

  ProgressTracker* tracker_;
  ProgressMode mode_;
  double interval_;
  std::unique_ptr<PodAnnotator> annotator_;
  std::FILE* out_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;       // guarded by mu_
  int64_t lastPatchNanos_ = 0;  // reporter thread, then stop()
};

// Auto -> Bar when stdout is a TTY, else Json.
ProgressMode resolveProgressMode(ProgressMode mode);

}  // namespace ossvp::populator
