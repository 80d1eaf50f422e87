#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "ossvp/populator/progress.h"

using namespace ossvp::populator;

TEST_CASE("the progress JSON has exactly the contract's fields", "[unit]") {
  ProgressSnapshot s{"copying", 1048576, 4194304, 3, 10, 12.345};
  auto j = nlohmann::json::parse(s.toJson());
  CHECK(j.size() == 6);
  CHECK(j["phase"] == "copying");
  CHECK(j["bytesDone"] == 1048576);
  CHECK(j["bytesTotal"] == 4194304);
  CHECK(j["objectsDone"] == 3);
  CHECK(j["objectsTotal"] == 10);
  CHECK(j["throughputMBps"].get<double>() == Approx(12.3));
  CHECK(s.toJson().find('\n') == std::string::npos);
}

TEST_CASE("the tracker computes throughput from bytes moved between snapshots", "[unit]") {
  ProgressTracker t;
  t.setTotals(100'000'000, 5);
  t.setPhase(kPhaseCopying);
  auto s0 = t.snapshot(1'000'000'000);
  CHECK(s0.throughputMBps == 0);
  t.addBytes(20'000'000);
  t.addObjects(2);
  auto s1 = t.snapshot(3'000'000'000);  // 20 MB in 2 s
  CHECK(s1.throughputMBps == Approx(10.0));
  CHECK(s1.bytesDone == 20'000'000);
  CHECK(s1.objectsDone == 2);
  CHECK(s1.phase == "copying");
  t.subBytes(5'000'000);  // a retried file gives its bytes back
  CHECK(t.bytesDone() == 15'000'000);
}

TEST_CASE("the TTY bar shows percent, sizes, objects and rate", "[unit]") {
  ProgressSnapshot s{"copying", 512ULL << 20, 1ULL << 30, 1, 4, 85.25};
  std::string bar = s.toBar(10);
  CHECK(bar.rfind("[#####.....]", 0) == 0);
  CHECK(bar.find("50.0%") != std::string::npos);
  CHECK(bar.find("1/4 objects") != std::string::npos);
  CHECK(bar.find("85.2 MB/s") != std::string::npos);
}
