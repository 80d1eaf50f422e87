#include "ossctl.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <condition_variable>
#include <cstdio>
#include <deque>
#include <iostream>
#include <mutex>

#include "ossvp/common/log.h"
#include "ossvp/common/rfc3339.h"
#include "ossvp/common/size_parse.h"
#include "ossvp/ossclient/credentials.h"
#include "ossvp/ossclient/curl_object_client.h"
#include "ossvp/ossclient/time_format.h"

namespace ossvp::ossclient {
namespace {

struct GlobalFlags {
  std::string endpoint;
  std::string region;
  bool pathStyle = false;
  std::string signature = "v4";
  std::vector<std::string> overrides;
  bool insecure = false;
  std::string caFile;
  int retries = 4;
  std::string logLevel = "warn";
};

// A read-only mapping of a local file (empty files map to nothing).
class MappedFile {
 public:
  ~MappedFile() {
    if (data_ && size_) munmap(data_, size_);
  }
  Status open(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return notFound("cannot open '" + path + "': " + std::strerror(errno));
    struct stat st {};
    fstat(fd, &st);
    size_ = static_cast<size_t>(st.st_size);
    if (size_ > 0) {
      data_ = mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (data_ == MAP_FAILED) {
        data_ = nullptr;
        ::close(fd);
        return internalError("cannot map '" + path + "': " + std::strerror(errno));
      }
      madvise(data_, size_, MADV_SEQUENTIAL);
    }
    ::close(fd);
    return Status::ok();
  }
  const char* data() const { return static_cast<const char*>(data_); }
  size_t size() const { return size_; }

 private:
  void* data_ = nullptr;
  size_t size_ = 0;
};

Result<std::unique_ptr<ObjectClient>> makeClient(const GlobalFlags& g) {
  ClientOptions o;
  o.endpoint = g.endpoint;
  o.region = g.region;
  o.urlStyle = g.pathStyle ? UrlStyle::Path : UrlStyle::Auto;
  OSSVP_ASSIGN_OR_RETURN(o.signatureVersion, parseSignatureVersion(g.signature));
  for (const auto& text : g.overrides) {
    OSSVP_ASSIGN_OR_RETURN(EndpointOverride ov, parseEndpointOverride(text));
    o.endpointOverrides.push_back(ov);
  }
  o.verifyTls = !g.insecure;
  o.caFile = g.caFile;
  o.retry.maxAttempts = std::max(1, g.retries);
  OSSVP_ASSIGN_OR_RETURN(auto creds, makeDefaultCredentialsChain(o));
  return makeCurlObjectClient(o, creds);
}

Status cmdLs(ObjectClient& c, const OssUrl& u, bool recursive, int maxKeys) {
  ListRequest req{u.bucket, u.key, recursive ? "" : "/", "", "", std::min(maxKeys, 1000)};
  return listAll(c, req, [](const ListPage& p) {
    for (const auto& cp : p.commonPrefixes) std::printf("%12s  %-20s  %s\n", "PRE", "", cp.c_str());
    for (const auto& o : p.objects) {
      std::printf("%12llu  %-20s  %s\n", static_cast<unsigned long long>(o.size),
                  formatRfc3339(o.mtime).substr(0, 19).c_str(), o.key.c_str());
    }
    return Status::ok();
  });
}

Status cmdStat(ObjectClient& c, const OssUrl& u) {
  OSSVP_ASSIGN_OR_RETURN(ObjectMeta m, c.head(u.bucket, u.key));
  std::printf("key:           %s\nsize:          %llu\nlast-modified: %s\netag:          %s\n", m.key.c_str(),
              static_cast<unsigned long long>(m.size), formatRfc1123(m.mtime).c_str(), m.etag.c_str());
  std::printf("crc64ecma:     %s\nstorage-class: %s\nobject-type:   %s\ncontent-type:  %s\n",
              m.crc64 ? std::to_string(*m.crc64).c_str() : "-", m.storageClass.c_str(), m.objectType.c_str(),
              m.contentType.c_str());
  return Status::ok();
}

Status cmdGet(ObjectClient& c, const OssUrl& u, FILE* out, uint64_t offset, uint64_t length) {
  GetRequest g;
  g.bucket = u.bucket;
  g.key = u.key;
  g.offset = offset;
  if (length > 0) g.length = length;
  g.sink = [out](std::string_view chunk) {
    if (std::fwrite(chunk.data(), 1, chunk.size(), out) != chunk.size()) {
      return internalError(std::string("write to the output failed: ") + std::strerror(errno));
    }
    return Status::ok();
  };
  OSSVP_ASSIGN_OR_RETURN(GetResult r, c.get(g));
  if (std::fflush(out) != 0) return internalError(std::string("flushing the output failed: ") + std::strerror(errno));
  logInfo("read {} bytes of {} (crc verified: {})", r.bytesWritten, u.key, r.crcVerified);
  return Status::ok();
}

Status putMultipart(ObjectClient& c, const OssUrl& u, const MappedFile& f, uint64_t partSize, int parallel) {
  OSSVP_ASSIGN_OR_RETURN(std::string uploadId, c.initiateMultipart(u.bucket, u.key));
  size_t parts = static_cast<size_t>((f.size() + partSize - 1) / partSize);
  std::mutex mu;
  std::condition_variable cv;
  int inFlight = 0;
  Status firstError;
  std::vector<PartResult> done;
  for (size_t i = 0; i < parts; ++i) {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return inFlight < parallel; });
    if (!firstError.isOk()) break;
    ++inFlight;
    lock.unlock();
    uint64_t off = i * partSize;
    UploadPartRequest p{u.bucket,       u.key,
                        uploadId,       static_cast<int>(i + 1),
                        f.data() + off, static_cast<size_t>(std::min<uint64_t>(partSize, f.size() - off))};
    c.uploadPartAsync(p, [&](Result<PartResult> r) {
      std::lock_guard<std::mutex> guard(mu);
      if (r.isOk()) {
        done.push_back(*r);
      } else if (firstError.isOk()) {
        firstError = r.status();
      }
      --inFlight;
      cv.notify_all();
    });
  }
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return inFlight == 0; });
  }
  if (!firstError.isOk()) {
    Status a = c.abortMultipart(u.bucket, u.key, uploadId);
    if (!a.isOk()) logWarn("abort of upload {} failed: {}", uploadId, a.toString());
    return firstError;
  }
  auto r = c.completeMultipart(CompleteMultipartRequest{u.bucket, u.key, uploadId, done});
  if (!r.isOk()) return r.status();
  logInfo("uploaded {} parts, etag {}, crc64 {}", parts, r->etag, r->crc64.value_or(0));
  return Status::ok();
}

Status cmdPut(ObjectClient& c, const std::string& local, const OssUrl& u, uint64_t threshold, uint64_t partSize,
              int parallel) {
  MappedFile f;
  OSSVP_RETURN_IF_ERROR(f.open(local));
  if (f.size() <= threshold) {
    PutRequest p{u.bucket, u.key, f.data(), f.size(), ""};
    return c.put(p).status();
  }
  if (partSize < 100 * 1024) return invalidArgument("--part-size must be at least 100KiB");
  if ((f.size() + partSize - 1) / partSize > 10000) {
    return invalidArgument("file needs more than 10000 parts of --part-size; use a larger --part-size");
  }
  return putMultipart(c, u, f, partSize, std::max(1, parallel));
}

}  // namespace

Result<OssUrl> parseOssUrl(std::string_view text) {
  std::string_view rest;
  if (text.rfind("oss://", 0) == 0) {
    rest = text.substr(6);
  } else if (text.rfind("s3://", 0) == 0) {
    rest = text.substr(5);
  } else {
    return invalidArgument("'" + std::string(text) + "' is not an oss://bucket/key URL");
  }
  size_t slash = rest.find('/');
  OssUrl u{std::string(rest.substr(0, slash)),
           slash == std::string_view::npos ? "" : std::string(rest.substr(slash + 1))};
  if (u.bucket.empty()) return invalidArgument("'" + std::string(text) + "' has no bucket name");
  return u;
}

int runOssctl(int argc, char** argv) {
  GlobalFlags g;
  CLI::App app{
      "ossctl: inspect and move OSS objects (credentials from ALIBABA_CLOUD_ACCESS_KEY_ID/"
      "ALIBABA_CLOUD_ACCESS_KEY_SECRET[/ALIBABA_CLOUD_SECURITY_TOKEN] or the RRSA variables)"};
  app.require_subcommand(1);
  app.add_option("--endpoint", g.endpoint, "OSS endpoint, e.g. oss-cn-hangzhou.aliyuncs.com or http://127.0.0.1:9000")
      ->required()
      ->envname("OSS_ENDPOINT");
  app.add_option("--region", g.region, "region id, e.g. cn-hangzhou (derived from aliyuncs.com endpoints)")
      ->envname("OSS_REGION");
  app.add_flag("--path-style", g.pathStyle, "path-style URLs (automatic for IP endpoints)");
  app.add_option("--signature", g.signature, "v1, v4 or s3v4")->capture_default_str();
  app.add_option("--endpoint-override", g.overrides, "HOST=URL: send requests for HOST to URL (repeatable)");
  app.add_flag("--insecure", g.insecure, "do not verify TLS certificates");
  app.add_option("--ca-file", g.caFile, "PEM CA bundle for TLS verification");
  app.add_option("--retries", g.retries, "attempts per request (idempotent requests)")->capture_default_str();
  app.add_option("--log-level", g.logLevel, "debug, info, warn or error")->capture_default_str();

  std::string url;
  std::string local;
  bool recursive = false;
  int maxKeys = 1000;
  std::string offsetText = "0";
  std::string lengthText = "0";
  std::string thresholdText = "64MiB";
  std::string partSizeText = "8MiB";
  int parallel = 8;

  auto* ls = app.add_subcommand("ls", "list objects under oss://bucket/prefix");
  ls->add_option("url", url, "oss://bucket[/prefix]")->required();
  ls->add_flag("-r,--recursive", recursive, "list every key under the prefix (no delimiter)");
  ls->add_option("--max-keys", maxKeys, "page size (1..1000)");
  auto* st = app.add_subcommand("stat", "show an object's metadata (HeadObject)");
  st->add_option("url", url, "oss://bucket/key")->required();
  auto* cat = app.add_subcommand("cat", "write an object (or a range) to stdout");
  cat->add_option("url", url, "oss://bucket/key")->required();
  auto* get = app.add_subcommand("get", "download an object (or a range) to a local file");
  get->add_option("url", url, "oss://bucket/key")->required();
  get->add_option("file", local, "local file ('-' for stdout)")->required();
  for (auto* sc : {cat, get}) {
    sc->add_option("--offset", offsetText, "first byte to read");
    sc->add_option("--length", lengthText, "bytes to read (0 = to the end)");
  }
  auto* put = app.add_subcommand("put", "upload a local file (multipart with parallel parts when large)");
  put->add_option("file", local, "local file")->required();
  put->add_option("url", url, "oss://bucket/key")->required();
  put->add_option("--multipart-threshold", thresholdText, "files larger than this use multipart")
      ->capture_default_str();
  put->add_option("--part-size", partSizeText, "multipart part size")->capture_default_str();
  put->add_option("--parallel", parallel, "parts uploaded at once")->capture_default_str();
  auto* rm = app.add_subcommand("rm", "delete an object");
  rm->add_option("url", url, "oss://bucket/key")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  LogOptions lo;
  lo.component = "ossctl";
  if (!parseLogLevel(g.logLevel, &lo.level)) {
    std::cerr << "ossctl: unknown --log-level '" << g.logLevel << "'\n";
    return 2;
  }
  initLogging(lo);

  auto fail = [](const Status& s) {
    std::cerr << "ossctl: " << s.toString() << "\n";
    return 1;
  };
  auto u = parseOssUrl(url);
  if (!u.isOk()) return fail(u.status());
  auto offset = parseByteSize(offsetText);
  auto length = parseByteSize(lengthText);
  auto threshold = parseByteSize(thresholdText);
  auto partSize = parseByteSize(partSizeText);
  for (const auto* r : {&offset, &length, &threshold, &partSize}) {
    if (!r->isOk()) return fail(r->status());
  }
  auto client = makeClient(g);
  if (!client.isOk()) return fail(client.status());
  ObjectClient& c = **client;

  Status s;
  if (ls->parsed()) {
    s = cmdLs(c, *u, recursive, maxKeys);
  } else if (st->parsed()) {
    s = cmdStat(c, *u);
  } else if (cat->parsed()) {
    s = cmdGet(c, *u, stdout, *offset, *length);
  } else if (get->parsed()) {
    if (local == "-") {
      s = cmdGet(c, *u, stdout, *offset, *length);
    } else {
      std::string tmp = local + ".ossctl-partial";
      FILE* f = std::fopen(tmp.c_str(), "wb");
      if (!f) return fail(internalError("cannot create '" + tmp + "': " + std::strerror(errno)));
      s = cmdGet(c, *u, f, *offset, *length);
      std::fclose(f);
      if (s.isOk() && std::rename(tmp.c_str(), local.c_str()) != 0) {
        s = internalError("cannot rename '" + tmp + "' to '" + local + "': " + std::strerror(errno));
      }
      if (!s.isOk()) std::remove(tmp.c_str());
    }
  } else if (put->parsed()) {
    s = cmdPut(c, local, *u, *threshold, *partSize, parallel);
  } else if (rm->parsed()) {
    s = c.deleteObject(u->bucket, u->key);
  }
  return s.isOk() ? 0 : fail(s);
}

}  // namespace ossvp::ossclient
