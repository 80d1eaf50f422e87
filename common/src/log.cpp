#include "ossvp/common/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>

#include "ossvp/common/rfc3339.h"
#include "ossvp/common/secret_redactor.h"

namespace ossvp {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::Info)};
std::atomic<bool> g_json{false};
std::mutex g_mu;
std::string g_component;  // guarded by g_mu

const char* levelName(LogLevel l) {
  switch (l) {
    case LogLevel::Debug: return "debug";
    case LogLevel::Info: return "info";
    case LogLevel::Warn: return "warn";
    case LogLevel::Error: return "error";
  }
  return "info";
}

std::string jsonEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += fmt::format("\\u{:04x}", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

std::string timestamp() { return formatRfc3339(std::chrono::system_clock::now(), Rfc3339Fraction::kMillis); }

}  // namespace

void initLogging(const LogOptions& options) {
  g_level = static_cast<int>(options.level);
  g_json = options.json;
  std::lock_guard lock(g_mu);
  g_component = options.component;
}

bool parseLogLevel(std::string_view text, LogLevel* out) {
  std::string t;
  for (char c : text) t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (t == "debug")
    *out = LogLevel::Debug;
  else if (t == "info")
    *out = LogLevel::Info;
  else if (t == "warn" || t == "warning")
    *out = LogLevel::Warn;
  else if (t == "error")
    *out = LogLevel::Error;
  else
    return false;
  return true;
}

bool logEnabled(LogLevel level) { return static_cast<int>(level) >= g_level.load(); }

void logLine(LogLevel level, std::string_view message) {
  std::string safe = redactSecrets(message);
  std::string line;
  std::lock_guard lock(g_mu);
  if (g_json) {
    line = fmt::format("{{\"ts\":\"{}\",\"level\":\"{}\",\"component\":\"{}\",\"msg\":\"{}\"}}\n", timestamp(),
                       levelName(level), jsonEscape(g_component), jsonEscape(safe));
  } else {
    line = fmt::format("{} {:5} {}: {}\n", timestamp(), levelName(level), g_component.empty() ? "ossvp" : g_component,
                       safe);
  }
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace ossvp
