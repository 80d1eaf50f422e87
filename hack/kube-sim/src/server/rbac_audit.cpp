#include "server/rbac_audit.h"

#include <cerrno>
#include <cstring>
#include <memory>

namespace ossvp::kubesim {

std::unique_ptr<RbacAudit> RbacAudit::open(const std::string& path, std::string* error) {
  std::FILE* f = std::fopen(path.c_str(), "a");
  if (!f) {
    *error = "--rbac-audit " + path + ": cannot open for appending: " + std::strerror(errno) +
             " (give a writable file path)";
    return nullptr;
  }
  return std::unique_ptr<RbacAudit>(new RbacAudit(f));
}

RbacAudit::~RbacAudit() { std::fclose(file_); }

json RbacAudit::line(const RbacRequest& rq, const RbacDecision& d, bool enforced) {
  json matches = json::array();
  for (const auto& m : d.matches) matches.push_back({{"rule", m.rule}, {"binding", m.binding}});
  return {{"user", rq.user},
          {"verb", rq.verb},
          {"apiGroup", rq.apiGroup},
          {"resource", rq.resource},
          {"subresource", rq.subresource},
          {"namespace", rq.ns},
          {"name", rq.name},
          {"allowed", d.allowed},
          {"enforced", enforced},
          {"matches", matches}};
}

void RbacAudit::record(const RbacRequest& rq, const RbacDecision& d, bool enforced) {
  std::string text = line(rq, d, enforced).dump() + "\n";
  std::lock_guard<std::mutex> lock(mu_);
  std::fwrite(text.data(), 1, text.size(), file_);
  std::fflush(file_);
}

}  // namespace ossvp::kubesim
