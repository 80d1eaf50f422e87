// OssvpChangeFilter: tells which watch events of OSSVolumePopulators concern
// the PVCs that name them. A PVC waits on its ossvp's existence, spec and
// deletion; the status, which this controller itself rewrites about once a
// second while PVCs are populated, does not concern them. Waking every PVC
// of an ossvp on each of its status writes made a 1,000-PVC fan-out
// reconcile all 1,000 PVCs every second.
//
// Thread-safety: internally synchronized (informer handler threads).
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "ossvp/controller/kube/api_client.h"
#include "ossvp/controller/kube/watch_event_applier.h"

namespace ossvp::controller {

class OssvpChangeFilter {
 public:
  // True when the event adds or deletes the ossvp, or changes its spec or
  // whether it is being deleted, since the last event seen for it.
  bool concernsPvcs(kube::ChangeType change, const kube::Object& ossvp);

 private:
  std::mutex mu_;
  std::map<std::string, std::string> seen_;  // guarded by mu_; "ns/name" -> what PVCs depend on
};

}  // namespace ossvp::controller
