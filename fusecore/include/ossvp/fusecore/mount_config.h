// MountConfig: everything `ossmount` is told on its command line, parsed
// from `BUCKET[:/prefix] MOUNTPOINT [-o k=v,...]... [-f] [-d]` (ossfs-style -o
// options). One table defines every -o option with its default and help text;
// --help prints it, so the documentation cannot drift from the parser.
//
// Thread-safety: plain value type and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ossvp/common/result.h"
#include "ossvp/fusecore/filesystem.h"

namespace ossvp::fusecore {

struct MountConfig {
  std::string bucket;
  std::string prefix;
  std::string mountpoint;
  bool foreground = false;
  bool fuseDebug = false;
  bool helpRequested = false;

  // Connection and credentials.
  std::string endpoint;
  std::string region;
  std::string signature = "v4";
  bool pathStyle = false;
  std::vector<std::string> endpointOverrides;  // HOST=URL
  bool verifyTls = true;
  std::string caFile;
  std::string passwdFile;  // "AK:SK" or "BUCKET:AK:SK" lines, mode 0600

  // Semantics.
  bool readWrite = false;
  bool closeToOpen = true;
  bool allowOther = false;
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint32_t fileMode = 0;  // 0: 0444 read-only, 0644 with rw
  uint32_t dirMode = 0;   // 0: 0555 read-only, 0755 with rw

  // Caching and kernel interface.
  double attrTimeout = 60;
  double entryTimeout = 60;
  double negativeTimeout = 0;
  double metadataTtl = 60;
  uint32_t readaheadKb = 16384;
  int fuseThreads = 64;
  // Above three quarters of this many background requests (readahead,
  // async direct I/O, release) the kernel calls the mount congested and
  // reads a new file one 4 KiB page per READ instead of one request. At 256
  // the threshold is 192: 64 concurrent small-file readers (the integration
  // test's and the benchmark's) stay clear of it, where 64 did not.
  int maxBackground = 256;

  // Engine.
  uint64_t memoryLimit = 1ull << 30;
  uint64_t partSize = 8ull << 20;
  uint64_t maxPrefetchWindow = 256ull << 20;
  uint64_t smallFileThreshold = 1ull << 20;
  int prefetchConcurrency = 256;
  uint64_t uploadPartSize = 8ull << 20;
  int uploadConcurrency = 64;
  bool hugePages = true;  // data buffers advised MADV_HUGEPAGE (ossvp/fusecore/part_buffer.h)

  std::string logLevel = "info";
  std::string logFile;

  // The Filesystem options these settings imply.
  FsOptions fsOptions() const;
};

// Parses argv. --help sets helpRequested (other checks skipped). Errors say
// which argument is wrong and how to fix it.
Result<MountConfig> parseMountArgs(int argc, const char* const* argv);

// The usage text: synopsis, flags, and every -o option with its default.
std::string mountUsage();

// Applies one "key" or "key=value" -o item.
Status applyMountOption(MountConfig& config, const std::string& item);

// Reads "AK:SK" (or "BUCKET:AK:SK", matching `bucket`) from a credentials
// file, refusing a file readable by group or others.
struct FileCredentials {
  std::string accessKeyId;
  std::string accessKeySecret;
};
Result<FileCredentials> readPasswdFile(const std::string& path, const std::string& bucket);

}  // namespace ossvp::fusecore
