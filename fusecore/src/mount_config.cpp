#include "ossvp/fusecore/mount_config.h"

#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <functional>
#include <sstream>

#include "ossvp/common/log.h"
#include "ossvp/common/secret_redactor.h"
#include "ossvp/common/size_parse.h"

namespace ossvp::fusecore {
namespace {

using Setter = std::function<Status(MountConfig&, const std::string&)>;

struct OptionSpec {
  const char* name;
  const char* defaultText;
  const char* help;
  bool takesValue;
  Setter set;
};

Status badValue(const std::string& name, const std::string& v, const char* expected) {
  return invalidArgument(fmt::format("-o {}={}: expected {}", name, v, expected));
}

Setter boolSetter(bool MountConfig::*field, const char* name) {
  return [field, name](MountConfig& c, const std::string& v) {
    if (v.empty() || v == "true" || v == "1" || v == "yes") {
      c.*field = true;
    } else if (v == "false" || v == "0" || v == "no") {
      c.*field = false;
    } else {
      return badValue(name, v, "true or false");
    }
    return Status::ok();
  };
}

Setter stringSetter(std::string MountConfig::*field) {
  return [field](MountConfig& c, const std::string& v) {
    c.*field = v;
    return Status::ok();
  };
}

Setter sizeSetter(uint64_t MountConfig::*field, const char* name) {
  return [field, name](MountConfig& c, const std::string& v) {
    auto r = parseByteSize(v);
    if (!r.isOk() || *r == 0) return badValue(name, v, "a size such as 8M or 1G");
    c.*field = *r;
    return Status::ok();
  };
}

Setter secondsSetter(double MountConfig::*field, const char* name) {
  return [field, name](MountConfig& c, const std::string& v) {
    try {
      size_t used = 0;
      double d = std::stod(v, &used);
      if (used != v.size() || d < 0) return badValue(name, v, "seconds >= 0");
      c.*field = d;
    } catch (...) {
      return badValue(name, v, "seconds >= 0");
    }
    return Status::ok();
  };
}

template <typename T>
Setter intSetter(T MountConfig::*field, const char* name, long lo, long hi, int base = 10) {
  return [=](MountConfig& c, const std::string& v) {
    try {
      size_t used = 0;
      long n = std::stol(v, &used, base);
      if (used != v.size() || n < lo || n > hi) {
        return badValue(name, v, fmt::format("an integer in [{}, {}]", lo, hi).c_str());
      }
      c.*field = static_cast<T>(n);
    } catch (...) {
      return badValue(name, v, "an integer");
    }
    return Status::ok();
  };
}

const std::vector<OptionSpec>& optionTable() {
  static const std::vector<OptionSpec> table = {
      {"endpoint", "(required)", "OSS endpoint, e.g. oss-cn-hangzhou-internal.aliyuncs.com or http://127.0.0.1:9000",
       true, stringSetter(&MountConfig::endpoint)},
      {"url", "", "alias of endpoint (ossfs 1.0 spelling)", true, stringSetter(&MountConfig::endpoint)},
      {"region", "(from endpoint)", "region id, e.g. cn-hangzhou (needed for V4 with a non-aliyuncs endpoint)", true,
       stringSetter(&MountConfig::region)},
      {"sigv", "v4", "request signature: v1, v4 or s3v4", true, stringSetter(&MountConfig::signature)},
      {"path_style", "false", "path-style URLs (automatic for IP endpoints)", false,
       boolSetter(&MountConfig::pathStyle, "path_style")},
      {"endpoint_override", "", "HOST=URL: send requests for HOST to URL (repeatable)", true,
       [](MountConfig& c, const std::string& v) {
         c.endpointOverrides.push_back(v);
         return Status::ok();
       }},
      {"verify_tls", "true", "verify the server's TLS certificate", false,
       boolSetter(&MountConfig::verifyTls, "verify_tls")},
      {"ca_file", "(system)", "PEM CA bundle for TLS", true, stringSetter(&MountConfig::caFile)},
      {"passwd_file", "",
       "credentials file with AK:SK or BUCKET:AK:SK lines, mode 0600 (else env ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET, "
       "OSS_ACCESS_KEY_ID/_SECRET, or RRSA env)",
       true, stringSetter(&MountConfig::passwdFile)},
      {"rw", "false", "allow writing new files (sequential, uploaded while written)", false,
       boolSetter(&MountConfig::readWrite, "rw")},
      {"ro", "true", "read-only mount (the default)", false,
       [](MountConfig& c, const std::string& v) {
         c.readWrite = !(v.empty() || v == "true" || v == "1");
         return Status::ok();
       }},
      {"close_to_open", "true",
       "an open sees the current object: validated by the first GET (small files not cached by the kernel) or a HEAD",
       false, boolSetter(&MountConfig::closeToOpen, "close_to_open")},
      {"allow_other", "false", "let other users access the mount", false,
       boolSetter(&MountConfig::allowOther, "allow_other")},
      {"uid", "(caller's)", "owner uid of every file", true, intSetter(&MountConfig::uid, "uid", 0, 0x7fffffff)},
      {"gid", "(caller's)", "owner gid of every file", true, intSetter(&MountConfig::gid, "gid", 0, 0x7fffffff)},
      {"file_mode", "0444 (0644 with rw)", "permission bits of files (octal)", true,
       intSetter(&MountConfig::fileMode, "file_mode", 0, 07777, 8)},
      {"dir_mode", "0555 (0755 with rw)", "permission bits of directories (octal)", true,
       intSetter(&MountConfig::dirMode, "dir_mode", 0, 07777, 8)},
      {"attr_timeout", "60", "seconds the kernel caches attributes", true,
       secondsSetter(&MountConfig::attrTimeout, "attr_timeout")},
      {"entry_timeout", "60", "seconds the kernel caches names", true,
       secondsSetter(&MountConfig::entryTimeout, "entry_timeout")},
      {"negative_timeout", "0", "seconds the kernel caches missing names", true,
       secondsSetter(&MountConfig::negativeTimeout, "negative_timeout")},
      {"metadata_ttl", "60", "seconds a directory listing is reused (also the negative cache)", true,
       secondsSetter(&MountConfig::metadataTtl, "metadata_ttl")},
      {"readahead_kb", "16384", "kernel readahead of the mount (bdi read_ahead_kb); 0 keeps the kernel's 128", true,
       intSetter(&MountConfig::readaheadKb, "readahead_kb", 0, 1 << 20)},
      {"fuse_threads", "64", "maximum FUSE worker threads (each blocks on one request: many small files need many)",
       true, intSetter(&MountConfig::fuseThreads, "fuse_threads", 1, 1024)},
      {"max_background", "256",
       "kernel FUSE max_background: readahead requests in flight before the kernel falls back to 4 KiB reads "
       "(congestion at 3/4 of it)",
       true, intSetter(&MountConfig::maxBackground, "max_background", 1, 65535)},
      {"memory_limit", "1G",
       "cap on the process's memory: data buffers (prefetch, cache, uploads) get it minus min(64M, 1/8) for the rest",
       true, sizeSetter(&MountConfig::memoryLimit, "memory_limit")},
      {"part_size", "8M", "size of one ranged GET when prefetching", true,
       sizeSetter(&MountConfig::partSize, "part_size")},
      {"max_prefetch_window", "256M",
       "largest prefetch window of one sequential stream (at most half of the data budget)", true,
       sizeSetter(&MountConfig::maxPrefetchWindow, "max_prefetch_window")},
      {"small_file_threshold", "1M", "files up to this size are fetched whole on first read", true,
       sizeSetter(&MountConfig::smallFileThreshold, "small_file_threshold")},
      {"prefetch_concurrency", "256",
       "most ranged GETs in flight for prefetching (the engine starts at 32 and grows while throughput rises)", true,
       intSetter(&MountConfig::prefetchConcurrency, "prefetch_concurrency", 1, 4096)},
      {"upload_part_size", "8M", "multipart part size for writes", true,
       sizeSetter(&MountConfig::uploadPartSize, "upload_part_size")},
      {"upload_concurrency", "64",
       "most parts uploaded in parallel per file (the writer starts at 32 and grows while throughput rises; at most "
       "half the data budget)",
       true, intSetter(&MountConfig::uploadConcurrency, "upload_concurrency", 1, 256)},
      {"huge_pages", "true",
       "data buffers on 2 MiB transparent huge pages where the node allows (false: never wait for the kernel to "
       "compact memory for one)",
       false, boolSetter(&MountConfig::hugePages, "huge_pages")},
      {"log_level", "info", "debug, info, warn or error", true, stringSetter(&MountConfig::logLevel)},
      {"log_file", "(stderr)", "append logs here (useful when daemonized)", true, stringSetter(&MountConfig::logFile)},
  };
  return table;
}

}  // namespace

FsOptions MountConfig::fsOptions() const {
  FsOptions o;
  o.bucket = bucket;
  o.prefix = prefix;
  o.readWrite = readWrite;
  o.closeToOpen = closeToOpen;
  o.meta.ttl = std::chrono::milliseconds(static_cast<int64_t>(metadataTtl * 1000));
  // memory_limit bounds the whole process: data buffers get it minus a
  // reserve for threads, libcurl, metadata and the heap's own overhead.
  uint64_t reserve = std::min<uint64_t>(64ull << 20, memoryLimit / 8);
  o.engine.memoryBudget = memoryLimit - reserve;
  o.engine.partSize = partSize;
  o.engine.maxWindow = std::max(maxPrefetchWindow, o.engine.initialWindow);
  o.engine.smallObjectThreshold = smallFileThreshold;
  o.engine.maxInflight = static_cast<size_t>(prefetchConcurrency);
  o.writer.partSize = uploadPartSize;
  o.writer.maxInflightParts = static_cast<size_t>(uploadConcurrency);
  return o;
}

Status applyMountOption(MountConfig& config, const std::string& item) {
  auto eq = item.find('=');
  std::string name = item.substr(0, eq);
  std::string value = eq == std::string::npos ? "" : item.substr(eq + 1);
  for (const OptionSpec& s : optionTable()) {
    if (name != s.name) continue;
    if (s.takesValue && eq == std::string::npos) {
      return invalidArgument(fmt::format("-o {} needs a value: -o {}=...", name, name));
    }
    return s.set(config, value);
  }
  return invalidArgument(fmt::format("unknown mount option '-o {}'; see ossmount --help", name));
}

std::string mountUsage() {
  std::ostringstream out;
  out << "usage: ossmount BUCKET[:/prefix] MOUNTPOINT [-o OPT[=VAL][,OPT...]]... [-f] [-d]\n\n"
      << "Mounts an OSS bucket (or a prefix of it) with FUSE3. Read-only unless -o rw.\n\n"
      << "  -f            stay in the foreground (default: daemonize once mounted)\n"
      << "  -d            FUSE debug output (implies -f)\n"
      << "  -h, --help    this text\n\n"
      << "Options (-o), with defaults:\n";
  for (const OptionSpec& s : optionTable()) {
    std::string left = std::string(s.name) + (s.takesValue ? "=..." : "");
    out << fmt::format("  {:<26} {:<20} {}\n", left, s.defaultText, s.help);
  }
  return out.str();
}

Result<MountConfig> parseMountArgs(int argc, const char* const* argv) {
  MountConfig c;
  c.uid = getuid();
  c.gid = getgid();
  CLI::App app("ossmount", "ossmount");
  app.set_help_flag();  // our own --help text
  std::string source;
  std::vector<std::string> opts;
  bool help = false;
  app.add_flag("-h,--help", help);
  app.add_option("source", source);
  app.add_option("mountpoint", c.mountpoint);
  app.add_option("-o", opts)->allow_extra_args(false);
  app.add_flag("-f", c.foreground);
  app.add_flag("-d", c.fuseDebug);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return invalidArgument(fmt::format("{}; see ossmount --help", e.what()));
  }
  if (help) {
    c.helpRequested = true;
    return c;
  }
  if (source.empty() || c.mountpoint.empty()) {
    return invalidArgument("missing BUCKET[:/prefix] or MOUNTPOINT; see ossmount --help");
  }
  auto colon = source.find(':');
  c.bucket = source.substr(0, colon);
  if (colon != std::string::npos) c.prefix = normalizePrefix(source.substr(colon + 1));
  if (c.bucket.empty()) return invalidArgument("empty bucket name in '" + source + "'");
  for (const std::string& group : opts) {
    std::stringstream ss(group);
    std::string item;
    while (std::getline(ss, item, ',')) {
      if (item.empty()) continue;
      OSSVP_RETURN_IF_ERROR(applyMountOption(c, item));
    }
  }
  if (c.fuseDebug) c.foreground = true;
  if (c.endpoint.empty()) {
    return invalidArgument("no endpoint: pass -o endpoint=oss-<region>.aliyuncs.com (or http://HOST:PORT)");
  }
  if (c.fileMode == 0) c.fileMode = c.readWrite ? 0644 : 0444;
  if (c.dirMode == 0) c.dirMode = c.readWrite ? 0755 : 0555;
  return c;
}

Result<FileCredentials> readPasswdFile(const std::string& path, const std::string& bucket) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return notFound(fmt::format("credentials file {} does not exist or is not readable", path));
  }
  if ((st.st_mode & 077) != 0) {
    return permissionDenied(
        fmt::format("credentials file {} has mode {:04o}: it must not be accessible by group or others; run "
                    "chmod 600 {}",
                    path, st.st_mode & 07777, path));
  }
  std::ifstream in(path);
  std::string line;
  std::optional<FileCredentials> fallback;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> parts;
    std::stringstream ss(line);
    std::string p;
    while (std::getline(ss, p, ':')) parts.push_back(p);
    if (parts.size() == 3 && parts[0] == bucket) {
      registerSecret(parts[2]);
      return FileCredentials{parts[1], parts[2]};
    }
    if (parts.size() == 2 && !fallback) {
      registerSecret(parts[1]);
      fallback = FileCredentials{parts[0], parts[1]};
    }
  }
  if (fallback) return *fallback;
  return invalidArgument(fmt::format("credentials file {} has no 'AK:SK' line and no '{}:AK:SK' line", path, bucket));
}

}  // namespace ossvp::fusecore
