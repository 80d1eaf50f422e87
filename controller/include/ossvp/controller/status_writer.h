// StatusWriter: the one writer of OSSVolumePopulators' status (through the
// /status subresource, with optimistic concurrency). Mutations edit the
// per-PVC entries; the writer then derives the summary (summarizeStatus) once
// per write, so a write that carries hundreds of PVCs' changes costs one
// summary, not hundreds.
//
// Most changes are coalesced per ossvp (updateCoalesced): they wait up to a
// window (1 s in the controller) and are written together, in arrival order,
// in one read-modify-write, by flushDue (the controller's main loop). An
// immediate update() writes the ossvp's pending changes first, so a later
// change is never overwritten by an older one. Writes are serialized, so the
// controller never conflicts with itself, and each starts from the reader's
// copy: given a kube::MutationCache (as the controller does), that is the
// object the previous write returned until the informer has caught up, so a
// lagging cache costs no 409. A 409 (another writer) re-reads the object and
// applies the mutations again; a failed coalesced write keeps its mutations
// for the next flush.
// genericEntry() shows one PVC's entry as it will be written (pending
// changes applied).
// The window is measured on the Clock it is given (clock.h).
//
// Thread-safety: internally synchronized; mutations run on the calling thread
// (update, flushDue, genericEntry), never under the writer's state lock.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ossvp/controller/clock.h"
#include "ossvp/controller/kube/api_client.h"
#include "ossvp/controller/ossvp_status.h"

namespace ossvp::controller {

class StatusWriter {
 public:
  // Edits the status's entries and returns true when something changed
  // (false: no write). Called again on a fresh copy after a 409 (and by
  // genericEntry()), so it must be re-applicable and must own what it captures when
  // queued. The writer derives the summary afterwards.
  using Mutation = std::function<bool(OssvpStatus&, const kube::Object& ossvp)>;

  // `clock` must outlive the writer.
  StatusWriter(kube::ApiClient& api, const kube::ObjectReader& reader, const Clock& clock = Clock::system())
      : api_(api), reader_(reader), clock_(clock) {}

  // Writes now (with the ossvp's pending coalesced mutations first).
  // NotFound when the ossvp does not exist.
  Status update(const std::string& ns, const std::string& name, const Mutation& mutate);

  // Queues `mutate` (which must own what it captures) for the ossvp. Pending
  // mutations are applied in arrival order, all in one read-modify-write, by
  // flushDue once the oldest of them is `window` old (at the next flushDue
  // with `soon`: an outcome a user waits for), or by the next update() of
  // the ossvp. With a zero window: update() now.
  Status updateCoalesced(const std::string& ns, const std::string& name, Mutation mutate, bool soon = false);

  // Writes every ossvp whose oldest pending mutation is at least `window`
  // old (every one with `all`). Returns how many ossvps were written.
  int flushDue(bool all = false);

  void setCoalesceWindow(std::chrono::milliseconds window);

  // The generic entry of PVC `pvcUid` as it will be written: the reader's
  // copy with the ossvp's pending mutations applied. Costs the pending
  // mutations, not the size of the status (a status with 1,000 entries is
  // not parsed for each of them). nullopt when there is no such entry.
  std::optional<GenericPvcEntry> genericEntry(const std::string& ns, const std::string& name,
                                              const std::string& pvcUid) const;

 private:
  struct Pending {
    Clock::Instant since;             // when the oldest pending mutation arrived
    std::vector<Mutation> mutations;  // in arrival order
  };
  std::vector<Mutation> takePending(const std::string& key);
  // Puts mutations whose write failed back in front of the pending ones.
  void restorePending(const std::string& key, Clock::Instant since, std::vector<Mutation> mutations);
  Status writeAll(const std::string& ns, const std::string& name, const std::vector<Mutation>& mutations);

  kube::ApiClient& api_;
  const kube::ObjectReader& reader_;
  const Clock& clock_;
  std::mutex writeMu_;  // held for a whole write: one write at a time
  mutable std::mutex mu_;
  std::chrono::milliseconds window_{0};     // guarded by mu_
  std::map<std::string, Pending> pending_;  // by "ns/name"; guarded by mu_
};

// A mutation that edits the generic entry of `pvc` (creating it with the
// PVC's namespace and name); it owns copies of what it needs, so it can be
// queued with updateCoalesced.
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
