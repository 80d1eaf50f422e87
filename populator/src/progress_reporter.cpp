#include "ossvp/populator/progress_reporter.h"

#include <unistd.h>

#include <chrono>

#include "ossvp/populator/clock.h"

namespace ossvp::populator {

namespace {
constexpr int64_t kPatchSpacingNanos = 2'000'000'000;
}

ProgressMode resolveProgressMode(ProgressMode mode) {
  if (mode != ProgressMode::Auto) return mode;
  return ::isatty(STDOUT_FILENO) ? ProgressMode::Bar : ProgressMode::Json;
}

ProgressReporter::ProgressReporter(ProgressTracker* tracker, ProgressMode mode, double intervalSeconds,
                                   std::unique_ptr<PodAnnotator> annotator, std::FILE* out)
    : tracker_(tracker), mode_(mode), interval_(intervalSeconds), annotator_(std::move(annotator)), out_(out) {}

ProgressReporter::~ProgressReporter() { stop(); }

void ProgressReporter::start() {
  thread_ = std::thread([this] { loop(); });
}

void ProgressReporter::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  emit(true);
}

void ProgressReporter::loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    lock.unlock();
    emit(false);
    lock.lock();
    cv_.wait_for(lock, std::chrono::duration<double>(interval_), [this] { return stopping_; });
  }
}

void ProgressReporter::emit(bool final) {
  int64_t now = steadyClock()->nowNanos();
  ProgressSnapshot snap = tracker_->snapshot(now);
  std::string json = snap.toJson();
  if (mode_ == ProgressMode::Json) {
    std::fprintf(out_, "%s\n", json.c_str());
    std::fflush(out_);
  } else if (mode_ == ProgressMode::Bar) {
    std::fprintf(out_, "\r%s\033[K%s", snap.toBar().c_str(), final ? "\n" : "");
    std::fflush(out_);
  }
  if (!annotator_) return;
  int64_t since = now - lastPatchNanos_;
  if (lastPatchNanos_ != 0 && since < kPatchSpacingNanos) {
    if (!final) return;
    steadyClock()->sleepNanos(kPatchSpacingNanos - since);  // the last state must reach the controller
    json = tracker_->snapshot(steadyClock()->nowNanos()).toJson();
  }
  lastPatchNanos_ = steadyClock()->nowNanos();
  (void)annotator_->patch(json);  // a failure is logged by the annotator; the copy goes on
}

}  // namespace ossvp::populator
