// Process-wide logging for every ossvp binary: leveled, text or JSON lines on
// stderr, and every line passed through the SecretRedactor so that a
// registered secret can never reach a log.
//
// Thread-safety: internally synchronized; call from any thread. initLogging()
// is meant to be called once from main() before other threads start.
#pragma once

#include <spdlog/fmt/fmt.h>

#include <string>
#include <string_view>

namespace ossvp {

enum class LogLevel { Debug, Info, Warn, Error };

struct LogOptions {
  LogLevel level = LogLevel::Info;
  bool json = false;      // one JSON object per line instead of text
  std::string component;  // e.g. "ossvp-controller"; appears in every line
};

void initLogging(const LogOptions& options);

// Parses "debug", "info", "warn" or "error" (case-insensitive).
bool parseLogLevel(std::string_view text, LogLevel* out);

bool logEnabled(LogLevel level);
void logLine(LogLevel level, std::string_view message);

template <typename... Args>
void logDebug(fmt::format_string<Args...> f, Args&&... args) {
  if (logEnabled(LogLevel::Debug)) logLine(LogLevel::Debug, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void logInfo(fmt::format_string<Args...> f, Args&&... args) {
  if (logEnabled(LogLevel::Info)) logLine(LogLevel::Info, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void logWarn(fmt::format_string<Args...> f, Args&&... args) {
  if (logEnabled(LogLevel::Warn)) logLine(LogLevel::Warn, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void logError(fmt::format_string<Args...> f, Args&&... args) {
  if (logEnabled(LogLevel::Error)) logLine(LogLevel::Error, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace ossvp
