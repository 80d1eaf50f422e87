// Resume state kept in the volume's .ossvp-populator/ directory, so a
// restarted Pod (a new attempt on the same prime PVC) continues instead of
// starting over:
//  - journal: one JSON line per verified file {"k","s","m","e","c"} (key,
//    size, mtime, ETag, CRC64). Lines are appended only after syncfs(), so a
//    journaled file is durable; a torn last line (kill -9) is ignored.
//  - complete: a JSON marker written last; a re-run for the same bucket and
//    path is then a no-op. Once it is durable the journal is deleted, so a
//    populated volume keeps only this small file (documented for users).
// A file is skipped on resume only when its journal line matches the listed
// object (size, Last-Modified, ETag) and the file in the volume still has
// that size and mtime (isAlreadyComplete()).
//
// Thread-safety: ResumeJournal::record() may be called from any thread;
// flush() and the marker functions from one thread at a time.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ossvp/common/result.h"
#include "ossvp/populator/object_source.h"
#include "ossvp/populator/target_tree.h"

namespace ossvp::populator {

struct JournalEntry {
  std::string key;
  uint64_t size = 0;
  int64_t mtimeUnix = 0;
  std::string etag;
  uint64_t crc64 = 0;

  std::string toLine() const;  // JSON, no newline
  static std::optional<JournalEntry> fromLine(const std::string& line);
};

// The resume decision (pure): may `object` be skipped given its journal
// entry and the stat of the file in the volume?
bool isAlreadyComplete(const JournalEntry* entry, const SourceObject& object, const struct stat* onDisk);

class ResumeJournal {
 public:
  // Loads .ossvp-populator/journal (missing is fine) and opens it for append.
  static Result<std::unique_ptr<ResumeJournal>> open(const TargetTree& tree);

  const JournalEntry* find(const std::string& key) const;  // entries loaded at open()
  size_t loadedCount() const { return loaded_.size(); }

  // Queues a verified, installed file; it reaches the journal at flush().
  void record(JournalEntry entry);
  // syncfs() then appends the queued lines and fdatasync()s the journal.
  Status flush(const TargetTree& tree);
  // Deletes the journal (after the completion marker is durable).
  static void remove(const TargetTree& tree);

 private:
  ResumeJournal() = default;
  std::unordered_map<std::string, JournalEntry> loaded_;
  UniqueFd fd_;
  std::mutex mu_;
  std::vector<JournalEntry> pending_;  // guarded by mu_
};

struct CompletionMarker {
  std::string bucket;
  std::string prefix;
  uint64_t objects = 0;
  uint64_t bytes = 0;
  uint64_t directories = 0;
  std::string finishedAt;  // RFC 3339 UTC
};

std::optional<CompletionMarker> readCompletionMarker(const TargetTree& tree);
// Writes the marker atomically (temp + rename + fsync of the state directory).
Status writeCompletionMarker(TargetTree& tree, const CompletionMarker& marker);

}  // namespace ossvp::populator
