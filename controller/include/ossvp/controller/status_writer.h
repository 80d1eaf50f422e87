// StatusWriter: read-modify-write of an OSSVolumePopulator's status through
// the /status subresource with optimistic concurrency. The first attempt
// starts from the informer cache; a 409 Conflict re-reads the object from the
// API server and applies the mutation again (several PVCs of one ossvp are
// reconciled concurrently and all write into the same status).
//
// Progress updates can be coalesced per ossvp (updateCoalesced): they wait up
// to a window (1 s in the controller) and are written together, in one
// read-modify-write, with every other pending change of that ossvp. Pending
// changes are applied first by any update() of the same ossvp, so a later
// immediate change (Succeeded, Failed) is never overwritten by an older one.
// The window is measured on the Clock it is given (clock.h).
//
// Thread-safety: internally synchronized; mutations run on the calling thread
// (update, flushDue), never under the writer's lock.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "ossvp/controller/clock.h"
#include "ossvp/controller/kube/api_client.h"
#include "ossvp/controller/ossvp_status.h"

namespace ossvp::controller {

class StatusWriter {
 public:
  // Edits the status and returns true when something changed (false: no
  // write). Called again on a fresh copy after a 409, so it must be
  // re-applicable.
  using Mutation = std::function<bool(OssvpStatus&, const kube::Object& ossvp)>;

  // `clock` must outlive the writer.
  StatusWriter(kube::ApiClient& api, const kube::ObjectReader& reader, const Clock& clock = Clock::system())
      : api_(api), reader_(reader), clock_(clock) {}

  // Writes now (with the ossvp's pending coalesced mutations first).
  // NotFound when the ossvp does not exist.
  Status update(const std::string& ns, const std::string& name, const Mutation& mutate);

  // Queues `mutate` (which must own what it captures) for the ossvp. Pending
  // mutations are applied in arrival order, all in one read-modify-write, by
  // flushDue once the oldest of them is `window` old, or by the next update()
  // of the ossvp. With a zero window: update() now.
  Status updateCoalesced(const std::string& ns, const std::string& name, Mutation mutate);

  // Writes every ossvp whose oldest pending mutation is at least `window`
  // old (every one with `all`). Returns how many ossvps were written.
  int flushDue(bool all = false);

  void setCoalesceWindow(std::chrono::milliseconds window);

 private:
  struct Pending {
    Clock::Instant since;             // when the oldest pending mutation arrived
    std::vector<Mutation> mutations;  // in arrival order
  };
  std::vector<Mutation> takePending(const std::string& ns, const std::string& name);
  Status write(const std::string& ns, const std::string& name, const Mutation& mutate);

  kube::ApiClient& api_;
  const kube::ObjectReader& reader_;
  const Clock& clock_;
  std::mutex mu_;
  std::chrono::milliseconds window_{0};     // guarded by mu_
  std::map<std::string, Pending> pending_;  // by "ns/name"; guarded by mu_
};

// A mutation that edits the generic entry of `pvc` (creating it with the
// PVC's namespace and name), then summarizes the status; it owns copies of
// what it needs, so it can be queued with updateCoalesced.
StatusWriter::Mutation genericEntryMutation(const kube::Object& pvc, std::function<void(GenericPvcEntry&)> edit);

// Recomputes phase, progress, message, throughput, eta and conditions from
// the per-PVC entries; the one place the summary is derived. While any PVC is
// in flight: phase Populating with the lowest progress and message
// "Populating N volume(s)". Otherwise the outcome of the most recently
// finished PVC decides: "Populated successfully" / the failure. With no such
// record a Populating summary ends at once: Pending and "No population in
// flight" (Succeeded when only finished bmcpfs-dataflow imports remain).
// A generic entry's bytesPerSecond and etaSeconds are kept only while its
// phase is Populating (genericEntryMutation).
void summarizeStatus(OssvpStatus* st, int64_t generation);

}  // namespace ossvp::controller
