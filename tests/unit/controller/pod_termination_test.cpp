// readPodTermination against the populator's termination-message contract
// (populator/README.md): JSON summary or error, exit codes, retry hints.
#include <catch2/catch.hpp>

#include "ossvp/controller/pod_strategy.h"

namespace ossvp::controller {
namespace {
kube::Object failedPod(int exitCode, const std::string& message) {
  return {
      {"status",
       {{"phase", "Failed"},
        {"containerStatuses",
         kube::Object::array(
             {{{"name", "populate"},
               {"state", {{"terminated", {{"exitCode", exitCode}, {"reason", "Error"}, {"message", message}}}}}}})}}}};
}
}  // namespace

TEST_CASE("pod termination: the populator's JSON failure (table)", "[controller][pod]") {
  struct Case {
    int exitCode;
    std::string message;
    std::string reason;
    std::string text;
    bool retryable;
  };
  std::vector<Case> cases = {
      {3,
       R"J({"result":"Failed","exitCode":3,"reason":"AuthFailed","retryable":false,"message":"listing oss://b/data/: InvalidAccessKeyId (HTTP 403)"})J",
       "AuthFailed", "listing oss://b/data/: InvalidAccessKeyId (HTTP 403)", false},
      {7,
       R"J({"result":"Failed","exitCode":7,"reason":"TransientErrorsExhausted","retryable":true,"message":"connection refused"})J",
       "TransientErrorsExhausted", "connection refused", true},
      {5, R"J({"result":"Failed","exitCode":5,"reason":"InsufficientCapacity","message":"request a larger PVC"})J",
       "InsufficientCapacity", "request a larger PVC", false},
      {1, "panic: something\n", "Error", "panic: something", true},
      {137, "", "Error", "exited with code 137", true},
      // Another populator held the target: retryable even without the JSON contract.
      {10, "", "Error", "exited with code 10", true},
  };
  for (const auto& c : cases) {
    SECTION("exit " + std::to_string(c.exitCode)) {
      PodTermination t = readPodTermination(failedPod(c.exitCode, c.message));
      CHECK(t.exitCode == c.exitCode);
      CHECK(t.reason == c.reason);
      CHECK(t.message == c.text);
      CHECK(t.retryable == c.retryable);
    }
  }
}

TEST_CASE("pod termination: a pod without container status is retryable", "[controller][pod]") {
  kube::Object pod = {{"status", {{"phase", "Failed"}, {"message", "The node was low on resource: memory."}}}};
  PodTermination t = readPodTermination(pod);
  CHECK(t.exitCode == -1);
  CHECK(t.retryable);
  CHECK(t.message == "The node was low on resource: memory.");
}

}  // namespace ossvp::controller
