#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include "ossvp/populator/resume_state.h"
#include "test_util.h"

using namespace ossvp::populator;
using namespace ossvp::populator::testutil;

namespace {
struct stat fileStat(uint64_t size, int64_t mtime) {
  struct stat st {};
  st.st_mode = S_IFREG | 0644;
  st.st_size = static_cast<off_t>(size);
  st.st_mtim.tv_sec = mtime;
  return st;
}
}  // namespace

TEST_CASE("a file is skipped only when journal, listing and disk all agree", "[unit]") {
  SourceObject o{"k", 100, 1700000000, "\"abc\""};
  JournalEntry e{"k", 100, 1700000000, "\"abc\"", 42};
  auto disk = fileStat(100, 1700000000);
  CHECK(isAlreadyComplete(&e, o, &disk));
  CHECK_FALSE(isAlreadyComplete(nullptr, o, &disk));  // never journaled (maybe half written)
  CHECK_FALSE(isAlreadyComplete(&e, o, nullptr));     // deleted from the volume
  auto shortFile = fileStat(99, 1700000000);
  CHECK_FALSE(isAlreadyComplete(&e, o, &shortFile));  // truncated on disk
  auto touched = fileStat(100, 1700000001);
  CHECK_FALSE(isAlreadyComplete(&e, o, &touched));  // modified on disk
  SourceObject changed = o;
  changed.etag = "\"def\"";
  CHECK_FALSE(isAlreadyComplete(&e, changed, &disk));  // object replaced in the bucket
  changed = o;
  changed.size = 101;
  CHECK_FALSE(isAlreadyComplete(&e, changed, &disk));
  struct stat dir = disk;
  dir.st_mode = S_IFDIR | 0755;
  CHECK_FALSE(isAlreadyComplete(&e, o, &dir));
}

TEST_CASE("journal lines round-trip and torn lines are ignored", "[unit]") {
  JournalEntry e{"dir/ファイル \"q\"", 12345678901ULL, 1700000000, "\"E\"", 18446744073709551615ULL};
  auto back = JournalEntry::fromLine(e.toLine());
  REQUIRE(back);
  CHECK(back->key == e.key);
  CHECK(back->size == e.size);
  CHECK(back->crc64 == e.crc64);
  CHECK_FALSE(JournalEntry::fromLine(e.toLine().substr(0, 20)));
  CHECK_FALSE(JournalEntry::fromLine(""));
}

TEST_CASE("the journal survives a reopen, including after a torn write", "[unit]") {
  TempDir dir;
  auto tree = TargetTree::open(dir.path());
  REQUIRE(tree.isOk());
  {
    auto j = ResumeJournal::open(**tree);
    REQUIRE(j.isOk());
    (*j)->record(JournalEntry{"a", 1, 2, "e", 3});
    (*j)->record(JournalEntry{"b", 4, 5, "e", 6});
    REQUIRE((*j)->flush(**tree).isOk());
  }
  // kill -9 in the middle of appending a line:
  std::string journal = dir.path() + "/.ossvp-populator/journal";
  std::string text = readFile(journal);
  writeFile(journal, text + "{\"k\":\"c\",\"s\":1");
  {
    auto j = ResumeJournal::open(**tree);
    REQUIRE(j.isOk());
    CHECK((*j)->loadedCount() == 2);
    REQUIRE((*j)->find("b"));
    CHECK((*j)->find("b")->crc64 == 6);
    CHECK_FALSE((*j)->find("c"));
    (*j)->record(JournalEntry{"d", 7, 8, "e", 9});
    REQUIRE((*j)->flush(**tree).isOk());
  }
  auto j = ResumeJournal::open(**tree);
  REQUIRE(j.isOk());
  CHECK((*j)->loadedCount() == 3);
  CHECK((*j)->find("d"));
}

TEST_CASE("the completion marker round-trips", "[unit]") {
  TempDir dir;
  auto tree = TargetTree::open(dir.path());
  REQUIRE(tree.isOk());
  CHECK_FALSE(readCompletionMarker(**tree));
  REQUIRE(writeCompletionMarker(**tree, CompletionMarker{"b", "p/", 3, 99, 1, "2026-01-01T00:00:00Z"}).isOk());
  auto m = readCompletionMarker(**tree);
  REQUIRE(m);
  CHECK(m->bucket == "b");
  CHECK(m->prefix == "p/");
  CHECK(m->objects == 3);
  CHECK(m->bytes == 99);
}
