// runCommand (command_runner.h): output and exit code of a helper program, and
// its deadline: a program that hangs, or leaves something behind that holds
// its output open, is killed with its whole process group at the timeout.
#include <catch2/catch.hpp>

#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "../kube-sim/eventually.h"
#include "actors/command_runner.h"

using namespace ossvp::kubesim;
using Clock = std::chrono::steady_clock;

namespace {

// True when `pid` is gone or a zombie (killed, not yet reaped by its new parent).
bool processDead(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string pidText, comm, state;
  if (!(stat >> pidText >> comm >> state)) return true;
  return state == "Z" || state == "X";
}

std::string tempFile() {
  char tmpl[] = "/tmp/kube-sim-cmd-XXXXXX";
  int fd = ::mkstemp(tmpl);
  REQUIRE(fd >= 0);
  ::close(fd);
  return tmpl;
}

}  // namespace

TEST_CASE("runCommand returns the exit code and both outputs", "[command-runner]") {
  auto r = runCommand({"sh", "-c", "echo out; echo err >&2; echo \"$GREETING\"; exit 3"}, {"GREETING=hello"});
  REQUIRE(r.isOk());
  CHECK(r->exitCode == 3);
  CHECK(r->out == "out\nhello\n");
  CHECK(r->err == "err\n");
  auto none = runCommand({"sh", "-c", "exit 0"}, {}, kNoCommandTimeout);
  REQUIRE(none.isOk());
  CHECK(none->exitCode == 0);
  CHECK(!runCommand({"/nonexistent/program"}, {}).isOk());
}

TEST_CASE("runCommand kills a command that outlives its timeout, with its process group", "[command-runner]") {
  std::string pidFile = tempFile();
  auto start = Clock::now();
  // A background child that inherits the output pipes, then a sleep in the foreground.
  auto r =
      runCommand({"sh", "-c", "sleep 30 & echo $! > " + pidFile + "; sleep 30"}, {}, std::chrono::milliseconds(300));
  auto took = Clock::now() - start;
  REQUIRE(!r.isOk());
  CHECK(r.status().code() == ossvp::StatusCode::Timeout);
  CHECK(r.status().message() == "sh did not finish within 300ms: killed it and its process group");
  CHECK(took < std::chrono::seconds(10));
  pid_t background = 0;
  std::ifstream(pidFile) >> background;
  REQUIRE(background > 0);
  CHECK(ossvp::kubesim::testing::eventually([&] { return processDead(background); }));
  std::filesystem::remove(pidFile);
}

TEST_CASE("runCommand times out a command that closed its output but keeps running", "[command-runner]") {
  auto start = Clock::now();
  auto r = runCommand({"sh", "-c", "exec sleep 30 >&- 2>&-"}, {}, std::chrono::seconds(1));
  REQUIRE(!r.isOk());
  CHECK(r.status().code() == ossvp::StatusCode::Timeout);
  CHECK(r.status().message().find("within 1s") != std::string::npos);
  CHECK(Clock::now() - start < std::chrono::seconds(10));
}
