#include <catch2/catch.hpp>

#include "ossvp/ossemu/faults.h"
#include "ossvp/ossemu/network_profile.h"

using namespace ossvp::ossemu;

TEST_CASE("fault plans are reproducible with the same seed") {
  auto draw = [](uint64_t seed) {
    FaultInjector f(seed);
    REQUIRE(f.applyJson(nlohmann::json{{"operation", "GetObject"}, {"error_rate", 0.5}}).isOk());
    std::vector<int> out;
    for (int i = 0; i < 32; ++i) out.push_back(f.plan("GetObject").errorStatus);
    return out;
  };
  auto a = draw(42);
  CHECK(a == draw(42));
  CHECK(std::count(a.begin(), a.end(), 503) > 0);
  CHECK(std::count(a.begin(), a.end(), 0) > 0);
}

TEST_CASE("per-operation config, defaults and reset") {
  FaultInjector f;
  REQUIRE(
      f.applyJson(nlohmann::json::array({{{"latency_ms", 5}}, {{"operation", "HeadObject"}, {"bandwidth_mbps", 8}}}))
          .isOk());
  CHECK(f.plan("GetObject").firstByteLatencyMs == 5);
  CHECK(f.plan("HeadObject").bandwidthBytesPerSec == 1000000);
  CHECK(f.plan("HeadObject").firstByteLatencyMs == 5);  // inherits the default it was created from
  REQUIRE(f.applyJson(nlohmann::json{{"reset", true}}).isOk());
  CHECK(f.plan("GetObject").firstByteLatencyMs == 0);
  CHECK_FALSE(f.applyJson(nlohmann::json{{"error_rate", 1}, {"error_status", 404}}).isOk());
  REQUIRE(f.applyJson(nlohmann::json{{"operation", "GetObject"}, {"truncate_rate", 1.0}}).isOk());
  CHECK(f.plan("GetObject").bodyFault == BodyFault::Truncate);
}

TEST_CASE("stats count operations and bytes") {
  Stats s;
  s.record("GetObject", 200, 0, 100);
  s.record("GetObject", 404, 0, 50);
  auto j = s.toJson();
  CHECK(j["operations"]["GetObject"]["count"] == 2);
  CHECK(j["operations"]["GetObject"]["errors"] == 1);
  CHECK(j["bytes_served"] == 150);
}

TEST_CASE("network profiles: loopback and cloud shapes, unknown names explained") {
  auto cloud = networkProfile("cloud");
  REQUIRE(cloud.isOk());
  CHECK(cloud->latencyMs == 10);
  CHECK(cloud->bandwidthMbps == 200);
  auto loop = networkProfile("loopback");
  REQUIRE(loop.isOk());
  CHECK(loop->latencyMs == 5);
  CHECK(loop->bandwidthMbps == 0);
  auto bad = networkProfile("lan");
  REQUIRE_FALSE(bad.isOk());
  CHECK(bad.status().message().find("loopback, cloud") != std::string::npos);
}

TEST_CASE("a reset comes back to the startup network shape, and faults keep it") {
  FaultInjector f;
  f.setDefault(OpFaultConfig{.latencyMs = 10, .bandwidthMbps = 200});
  REQUIRE(f.applyJson(nlohmann::json{{"operation", "GetObject"}, {"reset_rate", 1.0}}).isOk());
  FaultPlan get = f.plan("GetObject");
  CHECK(get.bodyFault == BodyFault::Reset);
  CHECK(get.firstByteLatencyMs == 10);  // the fault keeps the shape
  CHECK(get.bandwidthBytesPerSec == 25'000'000);
  REQUIRE(f.applyJson(nlohmann::json{{"reset", true}}).isOk());
  CHECK(f.plan("GetObject").bodyFault == BodyFault::None);
  CHECK(f.plan("PutObject").firstByteLatencyMs == 10);
  CHECK(f.plan("PutObject").bandwidthBytesPerSec == 25'000'000);
}
