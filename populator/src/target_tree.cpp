#include "ossvp/populator/target_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <spdlog/fmt/fmt.h>

#include "ossvp/populator/key_mapper.h"
#include "ossvp/populator/target_lock.h"

namespace ossvp::populator {

UniqueFd& UniqueFd::operator=(UniqueFd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.release();
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

Status errnoStatus(int err, const std::string& what) {
  StatusCode code = (err == ENOSPC || err == EDQUOT) ? StatusCode::ResourceExhausted : StatusCode::Internal;
  return Status(code, fmt::format("{}: {}", what, std::strerror(err)));
}

namespace {

constexpr int kDirFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

Result<UniqueFd> openOrMakeDir(int parent, const std::string& name, bool create, const std::string& shown) {
  int fd = ::openat(parent, name.c_str(), kDirFlags);
  if (fd < 0 && errno == ENOENT && create) {
    if (::mkdirat(parent, name.c_str(), 0755) != 0 && errno != EEXIST) {
      return errnoStatus(errno, fmt::format("cannot create directory '{}'", shown));
    }
    fd = ::openat(parent, name.c_str(), kDirFlags);
  }
  if (fd < 0) {
    if (errno == ENOTDIR || errno == ELOOP) {
      return Status(
          StatusCode::Internal,
          fmt::format("'{}' exists in the volume but is not a directory (a file or symlink is in the way)", shown));
    }
    if (errno == ENOENT) return notFound(fmt::format("directory '{}' does not exist", shown));
    return errnoStatus(errno, fmt::format("cannot open directory '{}'", shown));
  }
  return UniqueFd(fd);
}

void emptyDir(int dirFd) {
  int dup = ::dup(dirFd);
  if (dup < 0) return;
  DIR* d = ::fdopendir(dup);
  if (!d) {
    ::close(dup);
    return;
  }
  ::rewinddir(d);  // the dup shares its offset with dirFd, which an earlier pass left at the end
  while (dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
    ::unlinkat(dirFd, e->d_name, 0);
  }
  ::closedir(d);
}

std::string joinFirst(const std::vector<std::string>& c, size_t n) {
  std::string out;
  for (size_t i = 0; i < n && i < c.size(); ++i) {
    if (i) out.push_back('/');
    out += c[i];
  }
  return out;
}

}  // namespace

TargetTree::TargetTree() = default;
TargetTree::~TargetTree() = default;

Result<std::unique_ptr<TargetTree>> TargetTree::open(const std::string& root) {
  std::unique_ptr<TargetTree> t(new TargetTree());
  t->root_ = root;
  int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return Status(
        errno == ENOENT || errno == ENOTDIR ? StatusCode::InvalidArgument : StatusCode::Internal,
        fmt::format("target '{}' is not a usable directory: {} (mount the volume there)", root, std::strerror(errno)));
  }
  t->root_fd_ = UniqueFd(fd);
  if (::faccessat(fd, ".", W_OK, AT_EACCESS) != 0) {
    return errnoStatus(errno, fmt::format("target '{}' is not writable by uid {} (check fsGroup or the volume's "
                                          "permissions)",
                                          root, ::geteuid()));
  }
  OSSVP_ASSIGN_OR_RETURN(t->state_fd_, openOrMakeDir(fd, std::string(kStateDirName), true, std::string(kStateDirName)));
  // Before anything in the state directory is touched: another populator's
  // temp files must not be emptied away under it.
  OSSVP_ASSIGN_OR_RETURN(TargetLock lock, TargetLock::acquire(t->state_fd_.get(), root));
  t->lock_ = std::make_unique<TargetLock>(std::move(lock));
  OSSVP_ASSIGN_OR_RETURN(t->tmp_fd_,
                         openOrMakeDir(t->state_fd_.get(), "tmp", true, std::string(kStateDirName) + "/tmp"));
  emptyDir(t->tmp_fd_.get());
  return t;
}

Result<UniqueFd> TargetTree::openDir(const std::vector<std::string>& components, size_t count, bool create) const {
  UniqueFd cur(::dup(root_fd_.get()));
  if (!cur.valid()) return errnoStatus(errno, "dup");
  for (size_t i = 0; i < count && i < components.size(); ++i) {
    OSSVP_ASSIGN_OR_RETURN(UniqueFd next,
                           openOrMakeDir(cur.get(), components[i], create, joinFirst(components, i + 1)));
    cur = std::move(next);
  }
  return cur;
}

Result<UniqueFd> TargetTree::createTemp(std::string* name) {
  *name = fmt::format("{}.{}", ::getpid(), temp_seq_.fetch_add(1));
  int fd = ::openat(tmp_fd_.get(), name->c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) return errnoStatus(errno, "cannot create a temp file in the volume");
  return UniqueFd(fd);
}

void TargetTree::removeTemp(const std::string& name) const { ::unlinkat(tmp_fd_.get(), name.c_str(), 0); }

Status TargetTree::install(const std::string& tmpName, const std::vector<std::string>& components) const {
  OSSVP_ASSIGN_OR_RETURN(UniqueFd parent, openDir(components, components.size() - 1, true));
  if (::renameat(tmp_fd_.get(), tmpName.c_str(), parent.get(), components.back().c_str()) != 0) {
    int err = errno;
    if (err == EISDIR || err == ENOTEMPTY || err == EEXIST) {
      return Status(StatusCode::Internal, fmt::format("cannot place '{}': a directory with that name is in the volume",
                                                      joinFirst(components, components.size())));
    }
    return errnoStatus(err, fmt::format("cannot rename into '{}'", joinFirst(components, components.size())));
  }
  return Status::ok();
}

Result<struct stat> TargetTree::stat(const std::vector<std::string>& components) const {
  auto parent = openDir(components, components.size() - 1, false);
  if (!parent.isOk()) return parent.status();
  struct stat st {};
  if (::fstatat(parent->get(), components.back().c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return notFound(joinFirst(components, components.size()));
    return errnoStatus(errno, "stat " + joinFirst(components, components.size()));
  }
  return st;
}

Status TargetTree::setDirMtime(const std::vector<std::string>& components, int64_t mtimeUnix) const {
  OSSVP_ASSIGN_OR_RETURN(UniqueFd dir, openDir(components, components.size(), true));
  struct timespec times[2];
  times[0].tv_sec = 0;
  times[0].tv_nsec = UTIME_OMIT;
  times[1].tv_sec = static_cast<time_t>(mtimeUnix);
  times[1].tv_nsec = 0;
  if (::futimens(dir.get(), times) != 0)
    return errnoStatus(errno, "set mtime of " + joinFirst(components, components.size()));
  return Status::ok();
}

void TargetTree::removeTmpArea() const {
  emptyDir(tmp_fd_.get());
  ::unlinkat(state_fd_.get(), "tmp", AT_REMOVEDIR);
}

Status TargetTree::syncAll() const {
  if (::syncfs(root_fd_.get()) != 0) return errnoStatus(errno, "syncfs " + root_);
  return Status::ok();
}

}  // namespace ossvp::populator
