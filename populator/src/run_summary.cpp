#include "ossvp/populator/run_summary.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>

#include <nlohmann/json.hpp>

#include "ossvp/common/log.h"
#include "ossvp/common/secret_redactor.h"

namespace ossvp::populator {

std::string RunSummary::toJson(size_t maxBytes) const {
  nlohmann::json j;
  j["result"] = failure ? "Failed" : "Succeeded";
  j["exitCode"] = static_cast<int>(exitCode());
  if (failure) {
    j["reason"] = failure->reason;
    j["message"] = redactSecrets(failure->message);
    j["retryable"] = isRetryable(failure->code);
  }
  j["bucket"] = bucket;
  j["path"] = path;
  j["bytesTotal"] = bytesTotal;
  j["objectsTotal"] = objectsTotal;
  j["objectsCopied"] = objectsCopied;
  j["objectsSkipped"] = objectsSkipped;
  j["bytesCopied"] = bytesCopied;
  j["directories"] = directories;
  if (alreadyComplete) j["alreadyComplete"] = true;
  j["durationSeconds"] = std::round(durationSeconds * 100.0) / 100.0;
  j["throughputMBps"] =
      durationSeconds > 0 ? std::round(static_cast<double>(bytesCopied) / durationSeconds / 1e5) / 10.0 : 0.0;
  if (concurrency) {
    j["concurrency"] = {{"mode", concurrency->adaptive ? "adaptive" : "fixed"},
                        {"settled", concurrency->settled},
                        {"peak", concurrency->peak}};
  }
  j["rejectedKeys"] = rejected.size();
  for (size_t keep = rejected.size();; keep = keep / 2) {
    nlohmann::json list = nlohmann::json::array();
    for (size_t i = 0; i < keep; ++i) list.push_back({{"key", rejected[i].key}, {"reason", rejected[i].reason}});
    j["rejected"] = list;
    std::string out = j.dump();
    if (out.size() <= maxBytes) return out;
    if (keep == 0) break;
  }
  j.erase("rejected");
  while (j.dump().size() > maxBytes && j.contains("message")) {
    std::string m = j["message"];
    if (m.size() < 64) break;
    j["message"] = m.substr(0, m.size() / 2) + "...";
  }
  return j.dump();
}

void writeTerminationLog(const std::string& path, const std::string& json) {
  if (path.empty()) return;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    logDebug("termination log {} not written: {}", path, std::strerror(errno));
    return;
  }
  std::string data = json + "\n";
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      logWarn("termination log {}: {}", path, std::strerror(errno));
      break;
    }
    off += static_cast<size_t>(n);
  }
  ::close(fd);
}

}  // namespace ossvp::populator
