// OssvpChangeFilter: PVCs are woken by an ossvp's arrival, spec change
// (a new metadata.generation), deletion, not by its status writes.
#include <catch2/catch.hpp>

#include "ossvp/controller/ossvp_change_filter.h"
#include "ossvp/controller/testing/fake_kube_api.h"

namespace ossvp::controller::testing {

namespace {
// What the API server does to an object of a CRD with the status subresource
// when its spec changes.
void bumpGeneration(kube::Object& o) { o["metadata"]["generation"] = o["metadata"]["generation"].get<int64_t>() + 1; }
}  // namespace

TEST_CASE("ossvp change filter: status and metadata writes do not wake PVCs, spec, deletion and arrival do",
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
  bumpGeneration(o);
  CHECK(f.concernsPvcs(kube::ChangeType::Modified, o));
  CHECK_FALSE(f.concernsPvcs(kube::ChangeType::Modified, o));
  // Deletion wakes them whether or not the server bumps the generation for it.
  o["metadata"]["deletionTimestamp"] = "2026-12-07T00:00:00Z";
  CHECK(f.concernsPvcs(kube::ChangeType::Modified, o));
  bumpGeneration(o);
  CHECK(f.concernsPvcs(kube::ChangeType::Modified, o));
  CHECK(f.concernsPvcs(kube::ChangeType::Deleted, o));
  // Seen for the first time after a restart (an informer relist): wakes them.
  OssvpChangeFilter restarted;
  CHECK(restarted.concernsPvcs(kube::ChangeType::Modified, o));
}

TEST_CASE("ossvp change filter: the generation, not the spec's contents, tells a spec change", "[controller]") {
  OssvpChangeFilter f;
  kube::Object o = makeOssvpGeneric("argo", "demo");
  REQUIRE(f.concernsPvcs(kube::ChangeType::Added, o));
  // The same generation is the same spec, however the copy at hand renders
  // it (here a number read back as 100.0): no spec is compared.
  o["spec"]["generic"]["throughput"] = 100.0;
  CHECK_FALSE(f.concernsPvcs(kube::ChangeType::Modified, o));
  // A new generation is a spec change, even one that put back what was there.
  bumpGeneration(o);
  CHECK(f.concernsPvcs(kube::ChangeType::Modified, o));
}

}  // namespace ossvp::controller::testing
