// StatusWriter: read-modify-write of an OSSVolumePopulator's status through
// the /status subresource with optimistic concurrency. The first attempt
// starts from the informer cache; a 409 Conflict re-reads the object from the
// API server and applies the mutation again (several PVCs of one ossvp are
// reconciled concurrently and all write into the same status).
//
// Thread-safety: internally synchronized (stateless apart from its references).
#pragma once

#include <functional>
#include <string>

#include "ossvp/controller/kube/api_client.h"
#include "ossvp/controller/ossvp_status.h"

namespace ossvp::controller {

class StatusWriter {
 public:
  StatusWriter(kube::ApiClient& api, const kube::ObjectReader& reader) : api_(api), reader_(reader) {}

  // `mutate` edits the status and returns true when something changed (false:
  // no write). NotFound when the ossvp does not exist.
  Status update(const std::string& ns, const std::string& name,
                const std::function<bool(OssvpStatus&, const kube::Object& ossvp)>& mutate);

 private:
  kube::ApiClient& api_;
  const kube::ObjectReader& reader_;
};

// Recomputes phase, progress, message and conditions from the per-PVC
// entries. While any PVC is in flight: phase Populating with the lowest
// progress and message "Populating N volume(s)". Otherwise the outcome of the
// most recently finished PVC decides: "Populated successfully" / the failure.
void summarizeStatus(OssvpStatus* st, int64_t generation);

}  // namespace ossvp::controller
