#include "ossvp/populator/capacity.h"

#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>

#include <spdlog/fmt/fmt.h>

namespace ossvp::populator {

Result<VolumeSpace> statVolume(const std::string& path) {
  struct statvfs st {};
  if (::statvfs(path.c_str(), &st) != 0) {
    return Status(StatusCode::Internal, fmt::format("statvfs({}): {}", path, std::strerror(errno)));
  }
  VolumeSpace s;
  s.blockSize = st.f_frsize ? st.f_frsize : st.f_bsize;
  s.freeBytes = static_cast<uint64_t>(st.f_bavail) * s.blockSize;
  s.freeInodes = st.f_files == 0 ? UINT64_MAX : static_cast<uint64_t>(st.f_favail);
  return s;
}

void addFileToCopy(CapacityNeed* need, uint64_t size, uint64_t blockSize) {
  if (blockSize == 0) blockSize = 4096;
  need->bytesToWrite += (size + blockSize - 1) / blockSize * blockSize;
  need->inodesToCreate += 1;
}

std::string formatGiB(uint64_t bytes) {
  return fmt::format("{:.2f} GiB", static_cast<double>(bytes) / static_cast<double>(1ULL << 30));
}

Status checkCapacity(const CapacityNeed& need, const VolumeSpace& space) {
  if (need.bytesToWrite > space.freeBytes) {
    return Status(StatusCode::ResourceExhausted,
                  fmt::format("source holds {} in {} objects, volume has {} free: request a larger PVC "
                              "(still to copy: {})",
                              formatGiB(need.sourceBytes), need.sourceObjects, formatGiB(space.freeBytes),
                              formatGiB(need.bytesToWrite)));
  }
  if (need.inodesToCreate > space.freeInodes) {
    return Status(StatusCode::ResourceExhausted,
                  fmt::format("source holds {} objects, volume has only {} free inodes: request a larger PVC "
                              "or a file system with more inodes",
                              need.sourceObjects, space.freeInodes));
  }
  return Status::ok();
}

}  // namespace ossvp::populator
