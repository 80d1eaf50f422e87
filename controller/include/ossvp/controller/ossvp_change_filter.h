// OssvpChangeFilter: tells which watch events of OSSVolumePopulators concern
// the PVCs that name them. A PVC waits on its ossvp's existence, spec and
// deletion; the status, which this controller itself rewrites about once a
// second while PVCs are populated, does not concern them. Waking every PVC
// of an ossvp on each of its status writes made a 1,000-PVC fan-out
// reconcile all 1,000 PVCs every second.
//
// A spec change is told by metadata.generation: the CRD has the status
// subresource, so the API server bumps it on spec changes only (not on
// status, label, annotation or finalizer writes). Whether the ossvp is being
// deleted is tracked as well: the API server also bumps the generation when
// it sets deletionTimestamp, but a server that does not (kube-sim) must not
// hide a deletion from the PVCs.
//
// Thread-safety: internally synchronized (informer handler threads).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "ossvp/controller/kube/api_client.h"
#include "ossvp/controller/kube/watch_event_applier.h"

namespace ossvp::controller {

class OssvpChangeFilter {
 public:
  // True when the event adds or deletes the ossvp, or changes its
  // generation or whether it is being deleted, since the last event seen for
  // it; true as well for an ossvp seen for the first time (after a restart).
  bool concernsPvcs(kube::ChangeType change, const kube::Object& ossvp);

 private:
  // What the PVCs of an ossvp depend on.
  struct Seen {
    int64_t generation = 0;
    bool deleting = false;
    bool operator==(const Seen& o) const { return generation == o.generation && deleting == o.deleting; }
  };
  std::mutex mu_;
  std::map<std::string, Seen> seen_;  // guarded by mu_; by "ns/name"
};

}  // namespace ossvp::controller
