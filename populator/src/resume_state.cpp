#include "ossvp/populator/resume_state.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <sstream>

#include <spdlog/fmt/fmt.h>
#include <nlohmann/json.hpp>

#include "ossvp/common/log.h"
#include "ossvp/populator/key_mapper.h"

namespace ossvp::populator {

namespace {

constexpr const char* kJournal = "journal";
constexpr const char* kMarker = "complete";

Result<std::string> readAllAt(int dirFd, const char* name) {
  int fd = ::openat(dirFd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return notFound(name);
    return errnoStatus(errno, fmt::format("cannot read {}/{}", kStateDirName, name));
  }
  UniqueFd guard(fd);
  std::string out;
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errnoStatus(errno, fmt::format("cannot read {}/{}", kStateDirName, name));
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

Status writeAll(int fd, const std::string& data, const std::string& what) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errnoStatus(errno, what);
    off += static_cast<size_t>(n);
  }
  return Status::ok();
}

}  // namespace

std::string JournalEntry::toLine() const {
  nlohmann::json j = {{"k", key}, {"s", size}, {"m", mtimeUnix}, {"e", etag}, {"c", crc64}};
  return j.dump();
}

std::optional<JournalEntry> JournalEntry::fromLine(const std::string& line) {
  auto j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  try {
    JournalEntry e;
    e.key = j.at("k").get<std::string>();
    e.size = j.at("s").get<uint64_t>();
    e.mtimeUnix = j.at("m").get<int64_t>();
    e.etag = j.at("e").get<std::string>();
    e.crc64 = j.at("c").get<uint64_t>();
    return e;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

bool isAlreadyComplete(const JournalEntry* entry, const SourceObject& object, const struct stat* onDisk) {
  if (entry == nullptr || onDisk == nullptr) return false;
  if (entry->size != object.size || entry->mtimeUnix != object.mtimeUnix || entry->etag != object.etag) return false;
  if (!S_ISREG(onDisk->st_mode)) return false;
  return static_cast<uint64_t>(onDisk->st_size) == object.size && onDisk->st_mtim.tv_sec == object.mtimeUnix;
}

Result<std::unique_ptr<ResumeJournal>> ResumeJournal::open(const TargetTree& tree) {
  std::unique_ptr<ResumeJournal> j(new ResumeJournal());
  auto text = readAllAt(tree.stateFd(), kJournal);
  if (text.isOk()) {
    std::istringstream in(*text);
    std::string line;
    while (std::getline(in, line)) {
      if (auto e = JournalEntry::fromLine(line)) j->loaded_[e->key] = std::move(*e);
    }
  } else if (text.status().code() != StatusCode::NotFound) {
    return text.status();
  }
  int fd = ::openat(tree.stateFd(), kJournal, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) return errnoStatus(errno, "cannot open the resume journal");
  j->fd_ = UniqueFd(fd);
  // A torn last line (kill -9 mid-write) must not glue onto the next record.
  if (text.isOk() && !text->empty() && text->back() != '\n') {
    OSSVP_RETURN_IF_ERROR(writeAll(fd, "\n", "resume journal"));
  }
  return j;
}

const JournalEntry* ResumeJournal::find(const std::string& key) const {
  auto it = loaded_.find(key);
  return it == loaded_.end() ? nullptr : &it->second;
}

void ResumeJournal::record(JournalEntry entry) {
  std::lock_guard<std::mutex> lock(mu_);
  pending_.push_back(std::move(entry));
}

Status ResumeJournal::flush(const TargetTree& tree) {
  std::vector<JournalEntry> batch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    batch.swap(pending_);
  }
  if (batch.empty()) return Status::ok();
  OSSVP_RETURN_IF_ERROR(tree.syncAll());  // the files first...
  std::string text;
  for (const auto& e : batch) text += e.toLine() + "\n";
  OSSVP_RETURN_IF_ERROR(writeAll(fd_.get(), text, "cannot append to the resume journal"));
  if (::fdatasync(fd_.get()) != 0)
    return errnoStatus(errno, "fdatasync of the resume journal");  // ...then their record
  return Status::ok();
}

void ResumeJournal::remove(const TargetTree& tree) { ::unlinkat(tree.stateFd(), kJournal, 0); }

std::optional<CompletionMarker> readCompletionMarker(const TargetTree& tree) {
  auto text = readAllAt(tree.stateFd(), kMarker);
  if (!text.isOk()) return std::nullopt;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  CompletionMarker m;
  m.bucket = j.value("bucket", "");
  m.prefix = j.value("prefix", "");
  m.objects = j.value("objects", uint64_t{0});
  m.bytes = j.value("bytes", uint64_t{0});
  m.directories = j.value("directories", uint64_t{0});
  m.finishedAt = j.value("finishedAt", "");
  return m;
}

Status writeCompletionMarker(TargetTree& tree, const CompletionMarker& m) {
  nlohmann::json j = {{"bucket", m.bucket}, {"prefix", m.prefix},           {"objects", m.objects},
                      {"bytes", m.bytes},   {"directories", m.directories}, {"finishedAt", m.finishedAt}};
  std::string tmp = std::string(kMarker) + ".tmp";
  int fd = ::openat(tree.stateFd(), tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) return errnoStatus(errno, "cannot write the completion marker");
  UniqueFd guard(fd);
  OSSVP_RETURN_IF_ERROR(writeAll(fd, j.dump() + "\n", "cannot write the completion marker"));
  if (::fsync(fd) != 0) return errnoStatus(errno, "fsync of the completion marker");
  if (::renameat(tree.stateFd(), tmp.c_str(), tree.stateFd(), kMarker) != 0) {
    return errnoStatus(errno, "cannot rename the completion marker");
  }
  if (::fsync(tree.stateFd()) != 0) return errnoStatus(errno, "fsync of the state directory");
  return Status::ok();
}

}  // namespace ossvp::populator
