#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "ossvp/common/secret_redactor.h"
#include "ossvp/populator/run_summary.h"
#include "test_util.h"

using namespace ossvp::populator;

TEST_CASE("a success summary carries the counters", "[unit]") {
  RunSummary s;
  s.bucket = "b";
  s.path = "/p/";
  s.bytesTotal = 100;
  s.objectsTotal = 3;
  s.objectsCopied = 2;
  s.objectsSkipped = 1;
  s.bytesCopied = 60;
  s.durationSeconds = 2;
  auto j = nlohmann::json::parse(s.toJson());
  CHECK(j["result"] == "Succeeded");
  CHECK(j["exitCode"] == 0);
  CHECK(j["objectsCopied"] == 2);
  CHECK(j["objectsSkipped"] == 1);
  CHECK_FALSE(j.contains("message"));
  CHECK_FALSE(j.contains("concurrency"));  // no copy ran
  s.concurrency = RunConcurrency{true, 64, 128};
  j = nlohmann::json::parse(s.toJson());
  CHECK(j["concurrency"] == nlohmann::json{{"mode", "adaptive"}, {"settled", 64}, {"peak", 128}});
}

TEST_CASE("a failure summary fits the 4096-byte termination message and stays JSON", "[unit]") {
  RunSummary s;
  for (int i = 0; i < 500; ++i) s.rejected.push_back({std::string(100, 'k') + std::to_string(i), "has a '..' segment"});
  s.failure = Failure{ExitCode::InvalidKeys, "InvalidKeys", std::string(10000, 'm')};
  std::string out = s.toJson(4096);
  CHECK(out.size() <= 4096);
  auto j = nlohmann::json::parse(out);
  CHECK(j["exitCode"] == 8);
  CHECK(j["rejectedKeys"] == 500);
  CHECK(j["retryable"] == false);
}

TEST_CASE("secrets never reach the termination message", "[unit]") {
  ossvp::registerSecret("SuperSecretValue123");
  RunSummary s;
  s.failure = Failure{ExitCode::AuthFailed, "AuthFailed", "signature for SuperSecretValue123 did not match"};
  CHECK(s.toJson().find("SuperSecretValue123") == std::string::npos);
  ossvp::populator::testutil::TempDir dir;
  writeTerminationLog(dir.path() + "/term", s.toJson());
  auto j = nlohmann::json::parse(ossvp::populator::testutil::readFile(dir.path() + "/term"));
  CHECK(j["reason"] == "AuthFailed");
}
