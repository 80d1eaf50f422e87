#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "ossvp/populator/key_mapper.h"
#include "ossvp/populator/target_lock.h"
#include "test_util.h"

using namespace ossvp;
using namespace ossvp::populator;
using namespace ossvp::populator::testutil;

namespace {

// The state directory of a fresh target, opened.
struct StateDir {
  StateDir() {
    path = dir.path() + "/" + std::string(kStateDirName);
    std::filesystem::create_directory(path);
    fd = UniqueFd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(fd.valid());
  }
  TempDir dir;
  std::string path;
  UniqueFd fd;
};

}  // namespace

TEST_CASE("a held target lock refuses a second holder at once, naming the holder", "[unit]") {
  StateDir s;
  auto first = TargetLock::acquire(s.fd.get(), s.dir.path());
  REQUIRE(first.isOk());
  CHECK(first->held());
  auto second = TargetLock::acquire(s.fd.get(), s.dir.path());
  REQUIRE_FALSE(second.isOk());
  CHECK(second.status().code() == StatusCode::Unavailable);
  const std::string m = second.status().message();
  CHECK(m.find("'" + s.dir.path() + "' is being populated by another ossvp-populator") != std::string::npos);
  CHECK(m.find("pid " + std::to_string(::getpid()) + " on host ") != std::string::npos);
  CHECK(m.find("lock '" + s.path + "/lock'") != std::string::npos);
  CHECK(m.find("stop it") != std::string::npos);
}

TEST_CASE("releasing the target lock removes its file and frees the target", "[unit]") {
  StateDir s;
  {
    auto lock = TargetLock::acquire(s.fd.get(), s.dir.path());
    REQUIRE(lock.isOk());
    CHECK(std::filesystem::exists(s.path + "/lock"));
  }
  CHECK(std::filesystem::is_empty(s.path));
  auto again = TargetLock::acquire(s.fd.get(), s.dir.path());
  REQUIRE(again.isOk());
  again->release();
  CHECK_FALSE(again->held());
  CHECK(std::filesystem::is_empty(s.path));
}

TEST_CASE("a killed holder's lock is released by the kernel and its file reused", "[unit]") {
  StateDir s;
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    auto lock = TargetLock::acquire(s.fd.get(), s.dir.path());
    char ok = lock.isOk() ? '1' : '0';
    if (::write(ready[1], &ok, 1) != 1) ::_exit(2);
    ::pause();  // holds the lock until SIGKILL
    ::_exit(0);
  }
  ::close(ready[1]);
  char ok = 0;
  REQUIRE(::read(ready[0], &ok, 1) == 1);
  ::close(ready[0]);
  REQUIRE(ok == '1');

  auto busy = TargetLock::acquire(s.fd.get(), s.dir.path());
  REQUIRE_FALSE(busy.isOk());
  CHECK(busy.status().message().find("pid " + std::to_string(child) + " on host ") != std::string::npos);

  REQUIRE(::kill(child, SIGKILL) == 0);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(std::filesystem::exists(s.path + "/lock"));  // a crash leaves the file, not the lock
  auto mine = TargetLock::acquire(s.fd.get(), s.dir.path());
  REQUIRE(mine.isOk());
  CHECK(readFile(s.path + "/lock").rfind(std::to_string(::getpid()) + " ", 0) == 0);
}
