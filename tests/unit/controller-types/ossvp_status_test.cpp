// Status: JSON shape (exactly the seed's bmcpfsDataflow entry), conditions,
// progress arithmetic, merge patches.
#include <catch2/catch.hpp>

#include "ossvp/controller/ossvp_status.h"

using namespace ossvp::controller;
using nlohmann::json;

TEST_CASE("the bmcpfsDataflow entry has exactly the seed's fields", "[unit]") {
  BmcpfsDataflowEntry e{"df-29d3ad9e9xxxxxxx", "task-2993179xxxxxxxxx", "fset-2997498xxxxxxxxx",
                        "bmcpfs-29000z8xz3lf5xxxxxxxx", "59%"};
  json j = e.toJson();
  CHECK(j == json{{"dataFlowId", "df-29d3ad9e9xxxxxxx"},
                  {"dataFlowTaskId", "task-2993179xxxxxxxxx"},
                  {"fileSetId", "fset-2997498xxxxxxxxx"},
                  {"fileSystemId", "bmcpfs-29000z8xz3lf5xxxxxxxx"},
                  {"progress", "59%"}});
  auto back = BmcpfsDataflowEntry::fromJson(j);
  REQUIRE(back.isOk());
  CHECK(back->toJson() == j);
  CHECK(BmcpfsDataflowEntry{}.toJson() == json::object());
}

TEST_CASE("a generic entry round-trips and omits what is unknown", "[unit]") {
  GenericPvcEntry e;
  e.ns = "argo";
  e.name = "wf-1-data";
  e.podName = "populate-62a4e7ec";
  e.phase = std::string(kPvcPhasePopulating);
  e.progress = "40%";
  e.bytesDone = 4'000'000'000'000LL;  // beyond 32 bits
  e.bytesTotal = 10'000'000'000'000LL;
  e.objectsDone = 12;
  e.attempts = 2;
  e.startTime = "2026-11-23T13:00:00Z";
  e.lastError = "403 AccessDenied on oss://b/x";
  json j = e.toJson();
  CHECK(j["namespace"] == "argo");
  CHECK(j["bytesDone"] == 4'000'000'000'000LL);
  CHECK_FALSE(j.contains("objectsTotal"));
  CHECK_FALSE(j.contains("completionTime"));
  auto back = GenericPvcEntry::fromJson(j);
  REQUIRE(back.isOk());
  CHECK(back->toJson() == j);
  CHECK(back->bytesTotal == 10'000'000'000'000LL);
  CHECK_FALSE(back->objectsTotal.has_value());
  CHECK_FALSE(back->finished());
  back.value().phase = std::string(kPvcPhaseFailed);
  CHECK(back->finished());

  j["bytesDone"] = "many";
  CHECK(GenericPvcEntry::fromJson(j).status().message() ==
        "generic.bytesDone: Invalid value: \"many\": must be an integer");
}

TEST_CASE("the whole status round-trips, describe shows the seed's lines", "[unit]") {
  OssvpStatus s;
  s.observedGeneration = 2;
  s.phase = std::string(kPhasePopulating);
  s.progress = "59%";
  s.bmcpfsDataflow["62a4e7ec-fae1-4f11-848f-b57cxxxxxxxx"] = {"df-1", "task-1", "fset-1", "bmcpfs-1", "59%"};
  s.generic["u2"].ns = "argo";
  setCondition(&s.conditions,
               {std::string(kConditionPopulating), "True", "Populating", "1 PVC in flight", "2026-11-23T13:00:00Z", 2});
  json j = s.toJson();
  CHECK(j["bmcpfsDataflow"]["62a4e7ec-fae1-4f11-848f-b57cxxxxxxxx"]["dataFlowTaskId"] == "task-1");
  CHECK(j["conditions"][0]["type"] == "Populating");
  CHECK(j["conditions"][0]["observedGeneration"] == 2);
  auto back = OssvpStatus::fromJson(j);
  REQUIRE(back.isOk());
  CHECK(back->toJson() == j);

  CHECK(OssvpStatus::fromJson(nullptr)->toJson() == json::object());
  json bad = j;
  bad["generic"]["u2"]["attempts"] = "x";
  CHECK(OssvpStatus::fromJson(bad).status().message() ==
        "status.generic.u2: generic.attempts: Invalid value: \"x\": must be an integer");
  bad = j;
  bad["conditions"] = json::object();
  CHECK_FALSE(OssvpStatus::fromJson(bad).isOk());

  OssvpStatus done;
  done.phase = std::string(kPhaseSucceeded);
  done.message = std::string(kMessagePopulated);
  CHECK(done.toJson() == json{{"phase", "Succeeded"}, {"message", "Populated successfully"}});
}

TEST_CASE("setCondition keeps the transition time when the status holds", "[unit]") {
  std::vector<Condition> conds;
  CHECK(setCondition(&conds, {"Populated", "False", "InProgress", "", "t1", 1}));
  CHECK_FALSE(setCondition(&conds, {"Populated", "False", "InProgress", "", "t2", 1}));  // same status: t1 kept
  REQUIRE(findCondition(conds, "Populated") != nullptr);
  CHECK(findCondition(conds, "Populated")->lastTransitionTime == "t1");
  CHECK(setCondition(&conds, {"Populated", "False", "Retrying", "403", "t3", 1}));  // reason changed
  CHECK(findCondition(conds, "Populated")->lastTransitionTime == "t1");
  CHECK(setCondition(&conds, {"Populated", "True", "Succeeded", "", "t4", 1}));
  CHECK(findCondition(conds, "Populated")->lastTransitionTime == "t4");
  CHECK(setCondition(&conds, {"Failed", "False", "", "", "t5", 1}));
  CHECK(conds.size() == 2);
  CHECK(findCondition(conds, "Nope") == nullptr);
  CHECK_FALSE(Condition::fromJson(json{{"status", "True"}}).isOk());
}

TEST_CASE("progress arithmetic never shows 100% before success and never overflows", "[unit]") {
  CHECK(progressPercent(0, 100, false) == 0);
  CHECK(progressPercent(59, 100, false) == 59);
  CHECK(progressPercent(999, 1000, false) == 99);
  CHECK(progressPercent(100, 100, false) == 99);  // all bytes written, pod not yet succeeded
  CHECK(progressPercent(150, 100, false) == 99);
  CHECK(progressPercent(0, 0, true) == 100);
  CHECK(progressPercent(5, 0, false) == 0);  // total unknown
  CHECK(progressPercent(-1, 10, false) == 0);
  CHECK(progressPercent(INT64_MAX - 1, INT64_MAX, false) == 99);
  CHECK(progressPercent(INT64_MAX / 2, INT64_MAX, false) == 49);
  CHECK(formatPercent(59) == "59%");
  CHECK(formatPercent(140) == "100%");
  CHECK(formatPercent(-3) == "0%");
  CHECK(parsePercent("59%") == 59);
  CHECK(parsePercent("59") == 59);
  CHECK(parsePercent("100%") == 100);
  for (const char* bad : {"", "%", "101%", "-1%", "5.5%", "abc", "59%%"}) CHECK(parsePercent(bad) == -1);
  CHECK(monotonicProgress("60%", 40) == "60%");
  CHECK(monotonicProgress("60%", 70) == "70%");
  CHECK(monotonicProgress("", 5) == "5%");
}

TEST_CASE("summary: the slowest PVC in flight drives phase and progress", "[unit]") {
  OssvpStatus s;
  s.phase = std::string(kPhaseSucceeded);
  s.progress = "100%";
  s.summarizeInFlight();  // nothing in flight: unchanged
  CHECK(s.phase == "Succeeded");
  s.generic["a"].phase = std::string(kPvcPhaseSucceeded);
  s.generic["a"].progress = "100%";
  s.generic["b"].phase = std::string(kPvcPhasePopulating);
  s.generic["b"].progress = "70%";
  s.bmcpfsDataflow["c"].progress = "30%";
  s.summarizeInFlight();
  CHECK(s.phase == "Populating");
  CHECK(s.progress == "30%");
  s.bmcpfsDataflow.clear();
  s.generic["d"].phase = std::string(kPvcPhasePending);  // no progress yet counts as 0%
  s.summarizeInFlight();
  CHECK(s.progress == "0%");
}

TEST_CASE("summary: rates add up, the longest ETA counts, only while in flight", "[unit]") {
  OssvpStatus s;
  s.generic["a"].phase = std::string(kPvcPhasePopulating);
  s.generic["a"].bytesPerSecond = 3 * 1024 * 1024;
  s.generic["a"].etaSeconds = 130;
  s.generic["b"].phase = std::string(kPvcPhasePopulating);
  s.generic["b"].bytesPerSecond = 1024 * 1024;
  s.generic["b"].etaSeconds = 45;
  s.generic["c"].phase = std::string(kPvcPhaseSucceeded);  // finished: not counted
  s.generic["c"].bytesPerSecond = 1024 * 1024 * 1024;
  s.summarizeInFlight();
  CHECK(s.throughput == "4.00 MiB/s");
  CHECK(s.eta == "2m10s");
  s.generic["d"].phase = std::string(kPvcPhasePopulating);  // no estimate yet: the whole ETA is unknown
  s.summarizeInFlight();
  CHECK(s.throughput == "4.00 MiB/s");
  CHECK(s.eta.empty());
  for (auto& [uid, e] : s.generic) e.phase = std::string(kPvcPhaseSucceeded);
  s.summarizeInFlight();
  CHECK(s.throughput.empty());
  CHECK(s.eta.empty());

  CHECK(formatEta(0) == "0s");
  CHECK(formatEta(59) == "59s");
  CHECK(formatEta(125) == "2m05s");
  CHECK(formatEta(3 * 3600 + 5 * 60 + 9) == "3h05m");
  CHECK(formatEta(2 * 86400 + 3 * 3600) == "2d03h");
  CHECK(formatEta(-5) == "0s");
  CHECK(formatThroughput(512) == "512 B/s");
}

TEST_CASE("merge patches replace one PVC's entry and remove it", "[unit]") {
  GenericPvcEntry e;
  e.phase = "Populating";
  e.progress = "10%";
  json p = genericEntryPatch("uid-1", e);
  const json& entry = p["status"]["generic"]["uid-1"];
  CHECK(entry["phase"] == "Populating");
  CHECK(entry.contains("lastError"));  // sent as null so a stale error is cleared
  CHECK(entry["lastError"].is_null());
  CHECK(entry.size() == 15);

  json b = bmcpfsEntryPatch("uid-2", {"df", "task", "fset", "fs", "1%"});
  CHECK(b == json::parse(R"({"status":{"bmcpfsDataflow":{"uid-2":{"dataFlowId":"df","dataFlowTaskId":"task",
      "fileSetId":"fset","fileSystemId":"fs","progress":"1%"}}}})"));
  CHECK(removePvcEntriesPatch("uid-3") ==
        json::parse(R"({"status":{"generic":{"uid-3":null},"bmcpfsDataflow":{"uid-3":null}}})"));
}
