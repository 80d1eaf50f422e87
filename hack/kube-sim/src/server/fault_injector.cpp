#include "server/fault_injector.h"

namespace ossvp::kubesim {

void FaultInjector::configure(const nlohmann::json& config) {
  std::lock_guard<std::mutex> lock(mu_);
  if (config.contains("latencyMs")) latencyMs_ = config["latencyMs"].get<int>();
  if (config.contains("rules") && config["rules"].is_array()) {
    for (const auto& r : config["rules"]) {
      Rule rule;
      rule.method = r.value("method", "");
      rule.pathContains = r.value("pathContains", "");
      rule.watchOnly = r.value("watchOnly", false);
      rule.code = r.value("code", 500);
      rule.count = r.value("count", 1);
      rules_.push_back(rule);
    }
  }
}

void FaultInjector::clear() {
  std::lock_guard<std::mutex> lock(mu_);
  rules_.clear();
  latencyMs_ = 0;
}

int FaultInjector::latencyMs() const {
  std::lock_guard<std::mutex> lock(mu_);
  return latencyMs_;
}

std::optional<int> FaultInjector::match(const std::string& method, const std::string& path, bool watch) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = rules_.begin(); it != rules_.end(); ++it) {
    if (!it->method.empty() && it->method != method) continue;
    if (!it->pathContains.empty() && path.find(it->pathContains) == std::string::npos) continue;
    if (it->watchOnly && !watch) continue;
    int code = it->code;
    if (it->count > 0 && --it->count == 0) rules_.erase(it);
    return code;
  }
  return std::nullopt;
}

nlohmann::json FaultInjector::describe() const {
  std::lock_guard<std::mutex> lock(mu_);
  nlohmann::json rules = nlohmann::json::array();
  for (const auto& r : rules_) {
    rules.push_back({{"method", r.method},
                     {"pathContains", r.pathContains},
                     {"watchOnly", r.watchOnly},
                     {"code", r.code},
                     {"count", r.count}});
  }
  return {{"rules", rules}, {"latencyMs", latencyMs_}};
}

}  // namespace ossvp::kubesim
