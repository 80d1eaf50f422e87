// The controller <-> populator contract: every exit code has one name, one
// retry class and one integer; the controller's reading of a raw container
// exit status follows the same table.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "ossvp/common/populator_contract.h"

using namespace ossvp::populator_contract;

TEST_CASE("every populator exit code: name, retry class, round trip", "[unit]") {
  std::set<int> values;
  std::set<std::string_view> names;
  for (const ExitCodeInfo& info : kExitCodes) {
    const int value = static_cast<int>(info.code);
    INFO("exit code " << value << " " << info.name);
    CHECK(values.insert(value).second);
    CHECK(names.insert(info.name).second);
    CHECK_FALSE(info.name.empty());
    CHECK(exitCodeName(info.code) == info.name);
    REQUIRE(exitCodeFromInt(value).has_value());
    CHECK(*exitCodeFromInt(value) == info.code);
    const bool retryable = info.retry == RetryClass::Retryable;
    CHECK(isRetryable(info.code) == retryable);
    CHECK(isRetryableExit(value) == retryable);
  }
  // The classes themselves (populator/README.md, "retry helps?").
  std::set<ExitCode> expectedRetryable = {ExitCode::Internal, ExitCode::TransientExhausted, ExitCode::TargetBusy,
                                          ExitCode::Cancelled};
  for (const ExitCodeInfo& info : kExitCodes) {
    INFO(info.name);
    CHECK(isRetryable(info.code) == (expectedRetryable.count(info.code) == 1));
  }
  CHECK(exitCodeName(ExitCode::AuthFailed) == "AuthFailed");
  CHECK(static_cast<int>(ExitCode::Cancelled) == 143);
}

TEST_CASE("exit statuses the populator never uses", "[unit]") {
  CHECK_FALSE(exitCodeFromInt(11).has_value());
  CHECK_FALSE(exitCodeFromInt(139).has_value());
  CHECK_FALSE(isRetryableExit(139));    // a crash: the same input crashes again
  CHECK(isRetryableExit(kExitKilled));  // SIGKILL, e.g. an OOM kill
  CHECK(isRetryableExit(-1));           // no exit status recorded
  CHECK(exitCodeName(static_cast<ExitCode>(11)) == "Unknown");
}

TEST_CASE("progress annotation and its JSON fields", "[unit]") {
  CHECK(std::string(kProgressAnnotation) == "storage.alibabacloud.com/populator-progress");
  std::set<std::string> fields = {progress_field::kPhase,        progress_field::kBytesDone,
                                  progress_field::kBytesTotal,   progress_field::kObjectsDone,
                                  progress_field::kObjectsTotal, progress_field::kThroughputMBps};
  CHECK(fields.size() == 6);
  std::set<std::string> phases = {kPhaseListing,    kPhaseChecking, kPhaseCopying,
                                  kPhaseFinalizing, kPhaseDone,     kPhaseFailed};
  CHECK(phases.size() == 6);
}
