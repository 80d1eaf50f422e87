#include "ossvp/common/secret_redactor.h"

#include <algorithm>
#include <mutex>
#include <vector>

namespace ossvp {
namespace {

struct Registry {
  std::mutex mu;
  std::vector<std::string> secrets;  // guarded by mu; longest first
};

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

void registerSecret(std::string_view secret) {
  if (secret.size() < 4) return;
  Registry& r = registry();
  std::lock_guard lock(r.mu);
  if (std::find(r.secrets.begin(), r.secrets.end(), secret) != r.secrets.end()) return;
  r.secrets.emplace_back(secret);
  std::sort(r.secrets.begin(), r.secrets.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

std::string redactSecrets(std::string_view text) {
  std::string out(text);
  Registry& r = registry();
  std::lock_guard lock(r.mu);
  for (const std::string& s : r.secrets) {
    for (size_t pos = out.find(s); pos != std::string::npos; pos = out.find(s, pos + 3)) {
      out.replace(pos, s.size(), "***");
    }
  }
  return out;
}

}  // namespace ossvp
