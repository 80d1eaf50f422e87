// Helpers shared by the fuzz targets: a check that aborts with a message (a
// finding under libFuzzer, a failed test under the replay main), a reader
// that splits one fuzz input into several fields, and quiet logging.
//
// Thread-safety: FuzzInput is a cursor over one input; use from one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ossvp/common/log.h"

// A violated invariant: prints what and where, then aborts (libFuzzer saves
// the input as a crash; the replay test fails).
#define FUZZ_CHECK(cond, what)                                                                \
  do {                                                                                        \
    if (!(cond)) {                                                                            \
      std::fprintf(stderr, "FUZZ_CHECK failed at %s:%d: %s: %s\n", __FILE__, __LINE__, #cond, \
                   std::string(what).c_str());                                                \
      std::abort();                                                                           \
    }                                                                                         \
  } while (0)

namespace ossvp::fuzz {

// Splits an input into fields separated by a delimiter byte; the last field
// takes the rest. Keeps targets readable and corpora writable by hand.
class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size) : rest_(reinterpret_cast<const char*>(data), size) {}
  // The next field up to `delim` (excluded), or everything left.
  std::string_view next(char delim = '\n') {
    size_t pos = rest_.find(delim);
    std::string_view field = rest_.substr(0, pos);
    rest_ = pos == std::string_view::npos ? std::string_view() : rest_.substr(pos + 1);
    return field;
  }
  // One byte (0 when exhausted).
  uint8_t byte() {
    if (rest_.empty()) return 0;
    uint8_t b = static_cast<uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }
  std::string_view rest() const { return rest_; }
  bool empty() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

// Logs only errors, once per process (the code under test logs freely).
inline void quietLogs() {
  static const bool done = [] {
    LogOptions o;
    o.level = LogLevel::Error;
    initLogging(o);
    return true;
  }();
  (void)done;
}

}  // namespace ossvp::fuzz
