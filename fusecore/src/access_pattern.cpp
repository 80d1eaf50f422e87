#include "ossvp/fusecore/access_pattern.h"

#include <algorithm>

namespace ossvp::fusecore {
namespace {

constexpr uint64_t kStrideSlack = 4096;  // page-alignment fuzz on stride starts
constexpr uint64_t kSliceAlign = 4096;
constexpr uint64_t kStarvedStep = 1ull << 20;  // bytes between two growths of a waiting stream

uint64_t alignDown(uint64_t v, uint64_t a) { return a ? v / a * a : v; }
uint64_t alignUp(uint64_t v, uint64_t a) { return a ? (v + a - 1) / a * a : v; }
uint64_t absDiff(uint64_t a, uint64_t b) { return a > b ? a - b : b - a; }

}  // namespace

AccessPatternDetector::AccessPatternDetector(PatternOptions options, uint64_t objectSize)
    : opt_(options), size_(objectSize), streams_(std::max<size_t>(1, options.maxStreams)) {
  opt_.initialWindow = std::max<uint64_t>(1, opt_.initialWindow);
  opt_.maxWindow = std::max(opt_.maxWindow, opt_.initialWindow);
}

ByteRange AccessPatternDetector::clip(uint64_t begin, uint64_t end) const {
  begin = std::min(begin, size_);
  end = std::min(end, size_);
  return ByteRange{begin, end > begin ? end - begin : 0};
}

ByteRange AccessPatternDetector::alignedDemand(uint64_t offset, uint64_t length) const {
  return clip(alignDown(offset, opt_.randomAlign), alignUp(offset + length, opt_.randomAlign));
}

int AccessPatternDetector::findSequential(uint64_t offset) const {
  int best = -1;
  uint64_t bestDist = 0;
  for (size_t i = 0; i < streams_.size(); ++i) {
    const Stream& s = streams_[i];
    if (!s.used || s.kind == AccessKind::Strided) continue;
    // Within tolerance behind the stream's last read start (reordered
    // readahead) or ahead of its end (small skips).
    bool inRange =
        offset + opt_.backwardTolerance >= std::min(s.lastStart, s.next) && offset <= s.next + opt_.forwardTolerance;
    if (!inRange) continue;
    uint64_t d = absDiff(offset, s.next);
    if (best < 0 || d < bestDist) {
      best = static_cast<int>(i);
      bestDist = d;
    }
  }
  return best;
}

int AccessPatternDetector::findStrided(uint64_t offset) const {
  for (size_t i = 0; i < streams_.size(); ++i) {
    const Stream& s = streams_[i];
    if (s.used && s.kind == AccessKind::Strided && absDiff(offset, s.lastStart + s.stride) <= kStrideSlack) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

int AccessPatternDetector::allocStream() {
  int victim = 0;
  for (size_t i = 0; i < streams_.size(); ++i) {
    if (!streams_[i].used) return static_cast<int>(i);
    if (streams_[i].lastUse < streams_[victim].lastUse) victim = static_cast<int>(i);
  }
  return victim;
}

ReadPlan AccessPatternDetector::onRead(uint64_t offset, uint64_t length, bool missed, bool starved) {
  ReadPlan plan = classify(offset, length, missed, starved);
  plan.window = windowOf(plan.stream);
  return plan;
}

ReadPlan AccessPatternDetector::classify(uint64_t offset, uint64_t length, bool missed, bool starved) {
  ++tick_;
  // Stride history: shift in this read's start.
  hist_[0] = hist_[1];
  hist_[1] = hist_[2];
  hist_[2] = offset;
  histLen_[0] = histLen_[1];
  histLen_[1] = histLen_[2];
  histLen_[2] = length;
  histCount_ = std::min(histCount_ + 1, 3);

  ReadPlan plan;
  plan.demand = alignedDemand(offset, length);

  int i = findStrided(offset);
  if (i >= 0) {
    planStrided(streams_[i], offset, length, plan);
    plan.stream = i;
    return plan;
  }
  i = findSequential(offset);
  if (i >= 0) {
    planSequential(streams_[i], offset, length, missed, starved, plan);
    plan.stream = i;
    return plan;
  }
  // Three equally spaced starts with gaps between them form a stride.
  if (histCount_ == 3 && hist_[1] > hist_[0] && hist_[2] > hist_[1]) {
    uint64_t s1 = hist_[1] - hist_[0];
    uint64_t s2 = hist_[2] - hist_[1];
    if (absDiff(s1, s2) <= kStrideSlack && s2 > length && s2 <= opt_.maxWindow) {
      i = allocStream();
      Stream& s = streams_[i];
      s = Stream{};
      s.used = true;
      s.kind = AccessKind::Strided;
      s.stride = s2;
      s.window = opt_.initialWindow;
      s.prefetchedTo = offset + length;
      planStrided(s, offset, length, plan);
      plan.stream = i;
      return plan;
    }
  }
  // A new, so far random, stream. A read at offset 0 is a strong hint of a
  // sequential scan (file copy, header parse), so it prefetches at once.
  i = allocStream();
  Stream& s = streams_[i];
  s = Stream{};
  s.used = true;
  s.kind = AccessKind::Random;
  s.next = offset + length;
  s.lastStart = offset;
  s.lastUse = tick_;
  s.window = opt_.initialWindow;
  s.prefetchedTo = plan.demand.end();
  plan.stream = i;
  if (offset == 0) {
    planSequential(s, offset, length, missed, starved, plan);
  }
  return plan;
}

void AccessPatternDetector::planSequential(Stream& s, uint64_t offset, uint64_t length, bool missed, bool starved,
                                           ReadPlan& plan) {
  s.kind = AccessKind::Sequential;
  s.lastUse = tick_;
  s.lastStart = offset;
  uint64_t end = offset + length;
  if (end > s.next) {
    s.seqBytes += end - std::max(offset, s.next);
    s.next = end;
  }
  // A reader that waits for bytes in flight doubles the window at once (after
  // at least kStarvedStep more bytes, so one burst of concurrent reads of the
  // same bytes counts once): the window, not the reader, limits the stream.
  uint64_t growAfter = starved && !missed ? std::min(s.window, kStarvedStep) : s.window;
  if (s.seqBytes >= growAfter && s.window < opt_.maxWindow) {
    s.window = std::min(s.window * 2, opt_.maxWindow);
    s.seqBytes = 0;
  }
  plan.kind = AccessKind::Sequential;
  if (missed) s.prefetchedTo = std::min(s.prefetchedTo, plan.demand.end());
  s.prefetchedTo = std::max(s.prefetchedTo, plan.demand.end());
  uint64_t target = std::min(s.next + s.window, size_);
  uint64_t ahead = s.prefetchedTo > s.next ? s.prefetchedTo - s.next : 0;
  // Top the window up once an eighth of it is missing: requests go out in
  // small batches rather than one part per read, and the pipeline never
  // drains (topping up at half a window sends half the window's GETs at
  // once; they finish together and leave the reader waiting for the next
  // batch's whole transfer time).
  if (target > s.prefetchedTo && (ahead + s.window / 8 <= s.window || missed)) {
    ByteRange r = clip(s.prefetchedTo, target);
    if (r.length > 0) plan.prefetch.push_back(r);
    s.prefetchedTo = target;
  }
}

void AccessPatternDetector::planStrided(Stream& s, uint64_t offset, uint64_t length, ReadPlan& plan) {
  s.lastUse = tick_;
  s.lastStart = offset;
  s.sliceLen = std::max(s.sliceLen, length);
  s.next = offset + length;
  s.seqBytes += length;
  if (s.seqBytes >= s.window && s.window < opt_.maxWindow) {
    s.window = std::min(s.window * 2, opt_.maxWindow);
    s.seqBytes = 0;
  }
  plan.kind = AccessKind::Strided;
  if (s.sliceLen * 4 >= s.stride) {
    // Dense stride: fetching the covering span wastes at most 4x and needs
    // far fewer requests than slice-by-slice.
    uint64_t target = std::min(s.next + s.window * s.stride / s.sliceLen, size_);
    uint64_t from = std::max(s.prefetchedTo, s.next);
    uint64_t ahead = s.prefetchedTo > s.next ? s.prefetchedTo - s.next : 0;
    if (target > from && ahead < (target - s.next) / 2) {
      plan.prefetch.push_back(clip(from, target));
      s.prefetchedTo = target;
    }
    return;
  }
  size_t slices = static_cast<size_t>(std::clamp<uint64_t>(s.window / s.sliceLen, 1, opt_.maxStrideSlices));
  uint64_t horizon = offset + slices * s.stride;
  uint64_t ahead = s.prefetchedTo > s.next ? s.prefetchedTo - s.next : 0;
  if (ahead >= (horizon - s.next) / 2) return;
  for (size_t k = 1; k <= slices; ++k) {
    uint64_t start = offset + k * s.stride;
    if (start >= size_) break;
    if (start + s.sliceLen <= s.prefetchedTo) continue;
    ByteRange r = clip(alignDown(start, kSliceAlign), alignUp(start + s.sliceLen, kSliceAlign));
    if (r.length > 0) plan.prefetch.push_back(r);
    s.prefetchedTo = r.end();
  }
}

void AccessPatternDetector::notePrefetched(int stream, uint64_t end) {
  if (stream < 0 || static_cast<size_t>(stream) >= streams_.size()) return;
  Stream& s = streams_[stream];
  if (end < s.prefetchedTo) s.prefetchedTo = std::max(end, s.next);
}

uint64_t AccessPatternDetector::windowOf(int stream) const {
  if (stream < 0 || static_cast<size_t>(stream) >= streams_.size()) return 0;
  return streams_[stream].window;
}

size_t AccessPatternDetector::streamCount() const {
  return static_cast<size_t>(std::count_if(streams_.begin(), streams_.end(), [](const Stream& s) { return s.used; }));
}

}  // namespace ossvp::fusecore
