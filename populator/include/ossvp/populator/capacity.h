// Capacity check before copying: does the volume have room for what is left
// to copy? Space is counted in whole file-system blocks per file (a 1-byte
// file takes a block), and inodes are checked too.
//
// Thread-safety: pure functions, plus statVolume() which calls statvfs(3).
#pragma once

#include <cstdint>
#include <string>

#include "ossvp/common/result.h"

namespace ossvp::populator {

struct VolumeSpace {
  uint64_t freeBytes = 0;   // f_bavail * f_frsize: what an unprivileged writer may use
  uint64_t freeInodes = 0;  // f_favail; UINT64_MAX when the file system does not count inodes
  uint64_t blockSize = 4096;
};

Result<VolumeSpace> statVolume(const std::string& path);

struct CapacityNeed {
  uint64_t sourceBytes = 0;  // everything under the path (for the message)
  uint64_t sourceObjects = 0;
  uint64_t bytesToWrite = 0;    // block-rounded bytes of the files still to copy
  uint64_t inodesToCreate = 0;  // files + directories still to create
};

// Adds one file of `size` bytes still to copy to `need`.
void addFileToCopy(CapacityNeed* need, uint64_t size, uint64_t blockSize);

// Ok when `space` holds `need`; ResourceExhausted with the user-facing message
// "source holds X GiB in N objects, volume has Y GiB free: request a larger PVC"
// otherwise.
Status checkCapacity(const CapacityNeed& need, const VolumeSpace& space);

// "12.34 GiB"
std::string formatGiB(uint64_t bytes);

}  // namespace ossvp::populator
