// RbacAudit (--rbac-audit FILE): one JSON line per authorization decision
// for a service account's resource request, appended to FILE:
//   {"user":"system:serviceaccount:ns:sa","verb":"patch","apiGroup":"",
//    "resource":"pods","subresource":"","namespace":"ns","name":"p",
//    "allowed":true,"enforced":true,
//    "matches":[{"rule":"Role/ns/r#0","binding":"RoleBinding/ns/r"}]}
// "matches" lists every rule that grants the request (rbac.h), so a reader
// can tell which requests a rule is the only grant for: removing that rule
// denies them. "enforced" is false when kube-sim runs AlwaysAllow (the
// decision is then what RBAC would have said). Each line is written and
// flushed at once, so the file can be read while kube-sim runs.
//
// Thread-safety: record() may be called from any thread.
#pragma once

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

#include "server/rbac.h"

namespace ossvp::kubesim {

class RbacAudit {
 public:
  // Opens (appends to) path; *error explains a failure.
  static std::unique_ptr<RbacAudit> open(const std::string& path, std::string* error);
  ~RbacAudit();
  RbacAudit(const RbacAudit&) = delete;
  RbacAudit& operator=(const RbacAudit&) = delete;

  void record(const RbacRequest& request, const RbacDecision& decision, bool enforced);
  // The JSON line record() writes (without the newline), for tests.
  static json line(const RbacRequest& request, const RbacDecision& decision, bool enforced);

 private:
  explicit RbacAudit(std::FILE* f) : file_(f) {}
  std::mutex mu_;
  std::FILE* file_;
};

}  // namespace ossvp::kubesim
