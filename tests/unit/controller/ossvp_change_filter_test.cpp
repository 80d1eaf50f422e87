// OssvpChangeFilter: PVCs are woken by an ossvp's arrival, spec change,
// deletion, not by its status writes.
#include <catch2/catch.hpp>

#include "ossvp/controller/ossvp_change_filter.h"
#include "ossvp/controller/testing/fake_kube_api.h"

namespace ossvp::controller::testing {

TEST_CASE("ossvp change filter: status and metadata writes do not wake PVCs; spec, deletion and arrival do",
          "[controller]") {
  OssvpChangeFilter f;
  kube::Object o = makeOssvpGeneric("argo", "demo");
  CHECK(f.concernsPvcs(kube::ChangeType::Added, o));
  o["status"]["phase"] = "Populating";
  o["metadata"]["resourceVersion"] = "7";
  CHECK_FALSE(f.concernsPvcs(kube::ChangeType::Modified, o));
  o["metadata"]["finalizers"] = {"storage.alibabacloud.com/ossvp-in-use"};
  CHECK_FALSE(f.concernsPvcs(kube::ChangeType::Modified, o));
  o["spec"]["path"] = "/other/";
  CHECK(f.concernsPvcs(kube::ChangeType::Modified, o));
  CHECK_FALSE(f.concernsPvcs(kube::ChangeType::Modified, o));
  o["metadata"]["deletionTimestamp"] = "2026-12-07T00:00:00Z";
  CHECK(f.concernsPvcs(kube::ChangeType::Modified, o));
  CHECK(f.concernsPvcs(kube::ChangeType::Deleted, o));
  // Seen for the first time after a restart (an informer relist): wakes them.
  OssvpChangeFilter restarted;
  CHECK(restarted.concernsPvcs(kube::ChangeType::Modified, o));
}

}  // namespace ossvp::controller::testing
