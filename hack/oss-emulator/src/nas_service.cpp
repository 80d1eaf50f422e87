#include "ossvp/ossemu/nas_service.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "ossvp/common/openapi_rpc_signature.h"
#include "ossvp/common/rfc3339.h"
#include "ossvp/ossemu/object_meta.h"
#include "ossvp/ossemu/sts_service.h"

namespace fs = std::filesystem;

namespace ossvp::ossemu {
namespace {

using Params = std::map<std::string, std::string>;
using json = nlohmann::json;
constexpr int kMaxDataFlowsPerFs = 10;

struct RpcError {
  int status;
  std::string code;
  std::string message;
};

std::string newId(const char* prefix) {
  unsigned char raw[8];
  RAND_bytes(raw, sizeof raw);
  std::string hex = hexUpper(std::string(reinterpret_cast<char*>(raw), sizeof raw));
  for (char& c : hex) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return std::string(prefix) + hex;
}

std::string timeText(int64_t t, bool iso) {
  if (t == 0) return "";
  std::string s = formatRfc3339(t);  // 2021-08-04T18:27:35Z
  return iso ? s : s.substr(0, 10) + " " + s.substr(11, 8);
}

std::string get(const Params& p, const char* k) {
  auto it = p.find(k);
  return it == p.end() ? std::string() : it->second;
}

bool isDirParam(const std::string& v) { return v.size() >= 1 && v.front() == '/' && v.back() == '/'; }

// Filters.N.Key / Filters.N.Value -> key -> comma-separated values.
std::map<std::string, std::set<std::string>> filters(const Params& p) {
  std::map<std::string, std::set<std::string>> out;
  for (int i = 1; i <= 20; ++i) {
    std::string k = get(p, ("Filters." + std::to_string(i) + ".Key").c_str());
    if (k.empty()) continue;
    std::string v = get(p, ("Filters." + std::to_string(i) + ".Value").c_str());
    size_t pos = 0;
    while (pos <= v.size()) {
      size_t comma = v.find(',', pos);
      if (comma == std::string::npos) comma = v.size();
      if (comma > pos) out[k].insert(v.substr(pos, comma - pos));
      pos = comma + 1;
    }
  }
  return out;
}

bool matches(const std::map<std::string, std::set<std::string>>& f, const char* key, const std::string& value) {
  auto it = f.find(key);
  return it == f.end() || it->second.count(value) > 0;
}

// Paging over a JSON array with MaxResults / NextToken (an offset).
Result<json> page(json items, const Params& p, std::string* nextToken) {
  int max = get(p, "MaxResults").empty() ? 20 : std::atoi(get(p, "MaxResults").c_str());
  if (max < 10 || max > 100) return invalidArgument("MaxResults must be between 10 and 100");
  size_t start = get(p, "NextToken").empty() ? 0 : std::strtoull(get(p, "NextToken").c_str(), nullptr, 10);
  json out = json::array();
  for (size_t i = start; i < items.size() && out.size() < static_cast<size_t>(max); ++i) out.push_back(items[i]);
  nextToken->clear();
  if (start + out.size() < items.size()) *nextToken = std::to_string(start + out.size());
  return out;
}

}  // namespace

struct NasService::Impl {
  Impl(Storage& s, const CredentialStore& c, std::string r) : storage(s), creds(c), root(std::move(r)) {}
  Storage& storage;
  const CredentialStore& creds;
  std::string root;
  std::mutex mu;
  std::map<std::string, Fileset> filesets;             // by FsetId
  std::map<std::string, DataFlow> flows;               // by DataFlowId
  std::map<std::string, std::shared_ptr<Task>> tasks;  // by TaskId
  std::vector<std::string> taskOrder;
  std::map<std::string, std::string> clientTokens;  // action|fs|token -> created id
  std::set<std::string> nonces;
  std::vector<std::thread> workers;
  std::atomic<bool> stopping{false};

  std::string fsDir(const std::string& fsId) const { return root + "/" + fsId; }
  void runImport(std::shared_ptr<Task> t, DataFlow flow);
  RpcError* check(const HttpRequest& req, const Params& p, int64_t now, RpcError* err);
};

NasService::NasService(Storage& storage, const CredentialStore& creds, std::string cpfsRoot)
    : impl_(new Impl(storage, creds, std::move(cpfsRoot))) {}

NasService::~NasService() {
  impl_->stopping = true;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    for (auto& [id, t] : impl_->tasks) t->cancel = true;
  }
  for (auto& w : impl_->workers) {
    if (w.joinable()) w.join();
  }
}

bool NasService::handles(const std::string& action) {
  static const char* kActions[] = {"CreateFileset",      "DescribeFilesets",      "DeleteFileset",
                                   "CreateDataFlow",     "DescribeDataFlows",     "DeleteDataFlow",
                                   "CreateDataFlowTask", "DescribeDataFlowTasks", "CancelDataFlowTask"};
  for (const char* a : kActions) {
    if (action == a) return true;
  }
  return false;
}

RpcError* NasService::Impl::check(const HttpRequest& req, const Params& p, int64_t now, RpcError* err) {
  std::string ak = get(p, "AccessKeyId");
  if (ak.empty()) return &(*err = {400, "MissingAccessKeyId", "AccessKeyId is mandatory for this action."});
  auto c = creds.byAccessKey(ak);
  if (!c) return &(*err = {404, "InvalidAccessKeyId.NotFound", "Specified access key is not found."});
  if (get(p, "SignatureMethod") != "HMAC-SHA1" || get(p, "SignatureVersion") != "1.0") {
    return &(*err = {400, "IncompleteSignature",
                     "The emulator verifies RPC signature V1: SignatureMethod=HMAC-SHA1, SignatureVersion=1.0."});
  }
  if (!c->securityToken.empty()) {
    if (get(p, "SecurityToken") != c->securityToken) {
      return &(*err = {400, "InvalidSecurityToken.MismatchWithAccessKey",
                       "The security token does not match the access key."});
    }
    if (now >= c->expiresAt)
      return &(*err = {400, "InvalidSecurityToken.Expired", "Specified SecurityToken is expired."});
  }
  auto ts = parseRfc3339Seconds(get(p, "Timestamp"));
  if (!ts) return &(*err = {400, "MissingTimestamp", "Timestamp is mandatory for this action."});
  if (std::llabs(*ts - now) > 15 * 60) {
    return &(*err = {400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired."});
  }
  if (rpcSignatureV1(req.method, p, c->secret) != get(p, "Signature")) {
    return &(*err = {400, "SignatureDoesNotMatch",
                     "Specified signature is not matched with our calculation. server string to sign is:" +
                         rpcStringToSign(req.method, p)});
  }
  std::string nonce = get(p, "SignatureNonce");
  if (nonce.empty()) return &(*err = {400, "MissingSignatureNonce", "SignatureNonce is mandatory for this action."});
  std::lock_guard<std::mutex> lock(mu);
  if (!nonces.insert(nonce).second) {
    return &(*err = {400, "SignatureNonceUsed", "The request signature nonce has been used."});
  }
  if (nonces.size() > 100000) nonces.clear();
  return nullptr;
}

void NasService::Impl::runImport(std::shared_ptr<Task> t, DataFlow flow) {
  auto finish = [&](const std::string& status, const std::string& msg) {
    std::lock_guard<std::mutex> lock(mu);
    t->status = status;
    t->errorMsg = msg;
    t->ended = std::time(nullptr);
  };
  std::string bucket = flow.sourceStorage.substr(6);  // "oss://"
  std::string prefix = flow.sourceStoragePath.substr(1) + t->directory.substr(1);
  std::vector<ObjectMeta> objects;
  ListParams lp;
  lp.prefix = prefix;
  for (;;) {
    auto r = storage.list(bucket, lp);
    if (!r.isOk()) return finish("Failed", "DataFlow.Bucket.NotExist: " + r.status().message());
    for (auto& m : r->contents) objects.push_back(std::move(m));
    if (!r->truncated) break;
    lp.startAfter = r->nextMarker;
  }
  if (!t->entryList.empty()) {
    std::set<std::string> wanted;
    try {
      for (const auto& e : json::parse(t->entryList)) wanted.insert(e.get<std::string>());
    } catch (const std::exception&) {
      return finish("Failed", "EntryList is not a JSON array of paths");
    }
    std::vector<ObjectMeta> kept;
    for (auto& m : objects) {
      if (wanted.count("/" + m.key.substr(flow.sourceStoragePath.size() - 1))) kept.push_back(std::move(m));
    }
    objects.swap(kept);
  }
  std::string destRoot = fsDir(flow.fsId) + flow.fsPath + (t->dstDirectory.empty() ? "" : t->dstDirectory.substr(1));
  {
    std::lock_guard<std::mutex> lock(mu);
    if (t->cancel) {
      t->status = "Canceled";
      t->ended = std::time(nullptr);
      return;
    }
    t->status = "Executing";
    t->started = std::time(nullptr);
    for (const auto& m : objects) {
      t->bytesTotal += m.size;
      ++t->filesTotal;
    }
  }
  bool withData = t->dataType != "Metadata";
  double bytesPerSec = static_cast<double>(flow.throughput) * 1e6;
  auto start = std::chrono::steady_clock::now();
  uint64_t transferred = 0;
  std::string buf(1 << 20, '\0');
  for (const auto& m : objects) {
    std::string rel = m.key.substr(prefix.size());
    fs::path dest = fs::path(destRoot) / rel;
    std::error_code ec;
    bool isDir = !m.key.empty() && m.key.back() == '/';
    bool skip = false;
    if (!isDir && fs::exists(dest, ec)) {
      if (t->conflictPolicy == "SKIP_THE_FILE") skip = true;
      if (t->conflictPolicy == "KEEP_LATEST") {
        auto local = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::file_clock::to_sys(fs::last_write_time(dest, ec)).time_since_epoch())
                         .count();
        skip = local >= m.mtime;
      }
    }
    fs::create_directories(isDir ? dest : dest.parent_path(), ec);
    if (ec) return finish("Failed", "cannot create " + dest.parent_path().string() + ": " + ec.message());
    if (!isDir && !skip) {
      std::string tmp = dest.string() + ".ossemu-import";
      int out = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (out < 0) return finish("Failed", "cannot write " + tmp + ": " + std::strerror(errno));
      bool ok = true;
      if (withData) {
        HttpResponse body;
        Status st = storage.openBody(m, &body, 0, m.size);
        uint64_t off = 0;
        while (st.isOk() && off < m.size) {
          if (t->cancel) break;
          ssize_t got = body.readBody(off, buf.data(), buf.size());
          if (got <= 0 || ::write(out, buf.data(), static_cast<size_t>(got)) != got) {
            ok = false;
            break;
          }
          off += static_cast<uint64_t>(got);
          transferred += static_cast<uint64_t>(got);
          {
            std::lock_guard<std::mutex> lock(mu);
            t->bytesDone += static_cast<uint64_t>(got);
            t->actualBytes += static_cast<uint64_t>(got);
          }
          // Throughput limit of the data flow.
          auto due = start + std::chrono::microseconds(static_cast<int64_t>(transferred / bytesPerSec * 1e6));
          std::this_thread::sleep_until(due);
        }
        ok = ok && st.isOk() && off == m.size;
      } else {
        // Metadata only: the entry with its size (sparse); real CPFS loads the data on first read.
        ok = ::ftruncate(out, static_cast<off_t>(m.size)) == 0;
        std::lock_guard<std::mutex> lock(mu);
        t->bytesDone += m.size;
      }
      ::close(out);
      if (t->cancel) {
        ::unlink(tmp.c_str());
        break;
      }
      if (!ok) {
        ::unlink(tmp.c_str());
        return finish("Failed", "copy of oss://" + bucket + "/" + m.key + " failed");
      }
      timespec times[2] = {{m.mtime, 0}, {m.mtime, 0}};
      ::utimensat(AT_FDCWD, tmp.c_str(), times, 0);
      fs::rename(tmp, dest, ec);
      if (ec) return finish("Failed", "rename " + tmp + ": " + ec.message());
      std::lock_guard<std::mutex> lock(mu);
      ++t->actualFiles;
    } else if (skip) {
      std::lock_guard<std::mutex> lock(mu);
      t->bytesDone += m.size;
    }
    std::lock_guard<std::mutex> lock(mu);
    ++t->filesDone;
    ++t->progress;
  }
  std::lock_guard<std::mutex> lock(mu);
  t->status = t->cancel ? "Canceled" : "Completed";
  t->ended = std::time(nullptr);
}

namespace {

json taskJson(const NasService::Task& t, const NasService::DataFlow* flow) {
  int64_t elapsed = std::max<int64_t>(1, (t.ended ? t.ended : std::time(nullptr)) - t.started);
  uint64_t speed = t.started ? t.actualBytes / static_cast<uint64_t>(elapsed) : 0;
  uint64_t remain = speed ? (t.bytesTotal - std::min(t.bytesDone, t.bytesTotal)) / speed : 0;
  return {{"TaskId", t.id},
          {"DataFlowId", t.dataFlowId},
          {"FilesystemId", t.fsId},
          {"FileSystemPath", flow ? flow->fsPath : ""},
          {"FsPath", flow ? flow->fsPath : ""},
          {"SourceStorage", flow ? flow->sourceStorage + flow->sourceStoragePath : ""},
          {"TaskAction", t.action},
          {"DataType", t.dataType},
          {"Directory", t.directory},
          {"DstDirectory", t.dstDirectory},
          {"EntryList", t.entryList},
          {"ConflictPolicy", t.conflictPolicy},
          {"Originator", "User"},
          {"Status", t.status},
          {"ErrorMsg", t.errorMsg},
          {"CreateTime", timeText(t.created, false)},
          {"StartTime", timeText(t.started, false)},
          {"EndTime", timeText(t.ended, false)},
          {"Progress", t.progress},
          {"ProgressStats",
           {{"BytesTotal", t.bytesTotal},
            {"BytesDone", t.bytesDone},
            {"ActualBytes", t.actualBytes},
            {"FilesTotal", t.filesTotal},
            {"FilesDone", t.filesDone},
            {"ActualFiles", t.actualFiles},
            {"AverageSpeed", speed},
            {"RemainTime", remain}}},
          {"Reports", {{"Report", json::array()}}}};
}

}  // namespace

void NasService::handle(const HttpRequest& req, const Params& p, const std::string& requestId, int64_t now,
                        HttpResponse* resp) {
  Impl& im = *impl_;
  const std::string host = req.headerOr("host");
  auto fail = [&](const RpcError& e) { renderRpcError(e.status, e.code, e.message, requestId, host, resp); };
  auto reply = [&](json j) {
    j["RequestId"] = requestId;
    resp->status = 200;
    resp->body = j.dump(-1, ' ', false, json::error_handler_t::replace);  // names echo request bytes
    resp->setHeader("Content-Type", "application/json;charset=utf-8");
  };
  RpcError err;
  if (im.check(req, p, now, &err)) return fail(err);
  if (im.root.empty()) return fail({400, "InvalidParameter", "the emulator was started without --cpfs-root"});
  std::string action = get(p, "Action");
  std::string fsId = get(p, "FileSystemId");
  if (fsId.empty()) return fail({400, "MissingFileSystemId", "FileSystemId is mandatory for this action."});
  std::error_code ec;
  if (fsId.find('/') != std::string::npos || fsId.find("..") != std::string::npos ||
      !fs::is_directory(im.fsDir(fsId), ec)) {
    return fail({404, "InvalidFileSystem.NotFound", "The specified file system does not exist."});
  }
  bool dryRun = get(p, "DryRun") == "true";
  std::string token = get(p, "ClientToken");
  std::string tokenKey = action + "|" + fsId + "|" + token;
  std::unique_lock<std::mutex> lock(im.mu);
  if (!token.empty() && im.clientTokens.count(tokenKey)) {  // idempotent retry
    const std::string& id = im.clientTokens[tokenKey];
    const char* field = action == "CreateFileset" ? "FsetId" : action == "CreateDataFlow" ? "DataFlowId" : "TaskId";
    return reply({{field, id}});
  }
  // Remembers the ClientToken of a successful create, then replies with the id.
  auto created = [&](const char* field, const std::string& id) {
    if (!token.empty()) im.clientTokens[tokenKey] = id;
    reply({{field, id}});
  };
  auto validPath = [](const std::string& v) {
    return isDirParam(v) && v.find("/../") == std::string::npos && v.find("/./") == std::string::npos;
  };

  if (action == "CreateFileset") {
    std::string path = get(p, "FileSystemPath");
    if (!validPath(path) || path.size() < 2) {
      return fail({400, "InvalidParameter.FileSystemPath", "FileSystemPath must start and end with '/'."});
    }
    fs::path dir = im.fsDir(fsId) + path;
    if (!fs::is_directory(dir.parent_path().parent_path(), ec)) {
      return fail({400, "InvalidParameter.FileSystemPath", "The parent directory of FileSystemPath does not exist."});
    }
    if (fs::exists(dir.parent_path(), ec)) {
      return fail(
          {400, "InvalidParameter.FileSystemPath", "FileSystemPath already exists; a fileset needs a new path."});
    }
    if (dryRun) return reply({{"FsetId", ""}});
    fs::create_directory(dir.parent_path(), ec);
    if (ec) return fail({500, "InternalError", "cannot create " + dir.parent_path().string()});
    Fileset f{newId("fset-"), fsId, path, get(p, "Description"), now, get(p, "DeletionProtection") == "true"};
    im.filesets[f.id] = f;
    return created("FsetId", f.id);
  }
  if (action == "DescribeFilesets") {
    auto f = filters(p);
    json items = json::array();
    for (const auto& [id, s] : im.filesets) {
      if (s.fsId != fsId || !matches(f, "FsetIds", id) || !matches(f, "FileSystemPath", s.path)) continue;
      items.push_back({{"FsetId", id},
                       {"FileSystemId", fsId},
                       {"FileSystemPath", s.path},
                       {"Description", s.description},
                       {"Status", "CREATED"},
                       {"CreateTime", timeText(s.created, true)},
                       {"UpdateTime", timeText(s.created, true)},
                       {"DeletionProtection", s.deletionProtection},
                       {"FileCountUsage", 0},
                       {"SpaceUsage", 0}});
    }
    std::string next;
    auto pg = page(items, p, &next);
    if (!pg.isOk()) return fail({400, "InvalidParameter.MaxResults", pg.status().message()});
    return reply({{"NextToken", next}, {"Entries", {{"Entrie", *pg}}}});
  }
  if (action == "DeleteFileset") {
    auto it = im.filesets.find(get(p, "FsetId"));
    if (it == im.filesets.end() || it->second.fsId != fsId) {
      return fail({404, "InvalidFileset.NotFound", "The specified fileset does not exist."});
    }
    if (it->second.deletionProtection) {
      return fail({403, "OperationDenied.DeletionProtection", "The fileset is protected from deletion."});
    }
    if (dryRun) return reply({});
    fs::remove_all(im.fsDir(fsId) + it->second.path, ec);
    im.filesets.erase(it);
    return reply({});
  }
  if (action == "CreateDataFlow") {
    std::string src = get(p, "SourceStorage"), srcPath = get(p, "SourceStoragePath"), fsPath = get(p, "FileSystemPath");
    if (src.rfind("oss://", 0) != 0 || src.size() <= 6) {
      return fail({400, "InvalidParameter.SourceStorage", "SourceStorage must be oss://<bucket>."});
    }
    if (!validPath(srcPath))
      return fail({400, "InvalidParameter.SourceStoragePath", "SourceStoragePath must start and end with '/'."});
    if (!validPath(fsPath))
      return fail({400, "InvalidParameter.FileSystemPath", "FileSystemPath must start and end with '/'."});
    if (!fs::is_directory(im.fsDir(fsId) + fsPath, ec)) {
      return fail({400, "InvalidParameter.FileSystemPath", "FileSystemPath must be an existing directory."});
    }
    std::string bucket = src.substr(6);
    if (bucket.find(':') != std::string::npos) bucket = bucket.substr(bucket.find(':') + 1);
    if (!im.storage.bucket(bucket).isOk()) return fail({404, "DataFlow.Bucket.NotExist", "The bucket does not exist."});
    int count = 0;
    for (const auto& [id, f] : im.flows) count += f.fsId == fsId;
    if (count >= kMaxDataFlowsPerFs) {
      return fail({403, "QuotaExceeded.DataFlow", "A file system can have at most 10 data flows."});
    }
    int64_t throughput = get(p, "Throughput").empty() ? 600 : std::atoll(get(p, "Throughput").c_str());
    if (throughput <= 0) return fail({400, "InvalidParameter.Throughput", "Throughput must be positive (MB/s)."});
    if (dryRun) return reply({{"DataFlowId", ""}});
    DataFlow f;
    f.id = newId("df-");
    f.fsId = fsId;
    f.fsPath = fsPath;
    f.sourceStorage = "oss://" + bucket;
    f.sourceStoragePath = srcPath;
    f.description = get(p, "Description");
    f.fsetId = get(p, "FsetId");
    f.throughput = throughput;
    f.created = now;
    im.flows[f.id] = f;
    return created("DataFlowId", f.id);
  }
  if (action == "DescribeDataFlows") {
    auto f = filters(p);
    json items = json::array();
    for (const auto& [id, d] : im.flows) {
      if (d.fsId != fsId || !matches(f, "DataFlowIds", id) || !matches(f, "Status", d.status) ||
          !matches(f, "FileSystemPath", d.fsPath)) {
        continue;
      }
      items.push_back({{"DataFlowId", id},
                       {"FileSystemId", fsId},
                       {"FileSystemPath", d.fsPath},
                       {"FsetId", d.fsetId},
                       {"FsetDescription", ""},
                       {"SourceStorage", d.sourceStorage},
                       {"SourceStoragePath", d.sourceStoragePath},
                       {"SourceSecurityType", "None"},
                       {"Throughput", d.throughput},
                       {"Description", d.description},
                       {"Status", d.status},
                       {"ErrorMessage", "None"},
                       {"AutoRefreshPolicy", "None"},
                       {"AutoRefreshInterval", 0},
                       {"AutoRefresh", {{"AutoRefresh", json::array()}}},
                       {"CreateTime", timeText(d.created, true)},
                       {"UpdateTime", timeText(d.created, true)}});
    }
    std::string next;
    auto pg = page(items, p, &next);
    if (!pg.isOk()) return fail({400, "InvalidParameter.MaxResults", pg.status().message()});
    return reply({{"NextToken", next}, {"DataFlowInfo", {{"DataFlow", *pg}}}});
  }
  if (action == "DeleteDataFlow") {
    std::string id = get(p, "DataFlowId");
    if (id.empty()) return fail({400, "MissingDataFlowId", "DataFlowId is mandatory for this action."});
    auto it = im.flows.find(id);
    if (it == im.flows.end() || it->second.fsId != fsId) {
      return fail({404, "InvalidDataFlow.NotFound", "The specified data flow does not exist."});
    }
    if (dryRun) return reply({});
    for (auto& [tid, t] : im.tasks) {
      if (t->dataFlowId == id) t->cancel = true;
    }
    im.flows.erase(it);
    return reply({});
  }
  if (action == "CreateDataFlowTask") {
    std::string dfId = get(p, "DataFlowId");
    if (dfId.empty()) return fail({400, "MissingDataFlowId", "DataFlowId is mandatory for this action."});
    auto it = im.flows.find(dfId);
    if (it == im.flows.end() || it->second.fsId != fsId) {
      return fail({404, "InvalidDataFlow.NotFound", "The specified data flow does not exist."});
    }
    if (it->second.status != "Running") {
      return fail({403, "InvalidStatus.DataFlow", "Tasks can only be created while the data flow is Running."});
    }
    auto t = std::make_shared<Task>();
    t->action = get(p, "TaskAction").empty() ? "Import" : get(p, "TaskAction");
    if (t->action != "Import") {
      return fail({400, "InvalidParameter.TaskAction", "The emulator implements TaskAction Import only."});
    }
    t->dataType = get(p, "DataType").empty() ? "MetaAndData" : get(p, "DataType");
    if (t->dataType != "Metadata" && t->dataType != "MetaAndData" && t->dataType != "Data") {
      return fail({400, "InvalidParameter.DataType", "DataType must be Metadata, Data or MetaAndData."});
    }
    t->conflictPolicy = get(p, "ConflictPolicy");
    if (t->conflictPolicy != "SKIP_THE_FILE" && t->conflictPolicy != "KEEP_LATEST" &&
        t->conflictPolicy != "OVERWRITE_EXISTING") {
      return fail({400, "InvalidParameter.ConflictPolicy",
                   "ConflictPolicy must be SKIP_THE_FILE, KEEP_LATEST or OVERWRITE_EXISTING."});
    }
    t->directory = get(p, "Directory");
    t->dstDirectory = get(p, "DstDirectory");
    t->entryList = get(p, "EntryList");
    if (!t->directory.empty() && !t->entryList.empty()) {
      return fail({400, "InvalidParameter", "Directory and EntryList are mutually exclusive."});
    }
    if (t->directory.empty()) t->directory = "/";
    if (!validPath(t->directory))
      return fail({400, "InvalidParameter.Directory", "Directory must start and end with '/'."});
    if (!t->dstDirectory.empty() && !validPath(t->dstDirectory)) {
      return fail(
          {400, "InvalidParameter.DstDirectory", "DstDirectory must start and end with '/' and contain no '/../'."});
    }
    if (dryRun) return reply({{"TaskId", ""}});
    t->id = newId("task-");
    t->fsId = fsId;
    t->dataFlowId = dfId;
    t->created = now;
    im.tasks[t->id] = t;
    im.taskOrder.push_back(t->id);
    DataFlow flow = it->second;
    im.workers.emplace_back([&im, t, flow] { im.runImport(t, flow); });
    return created("TaskId", t->id);
  }
  if (action == "DescribeDataFlowTasks") {
    auto f = filters(p);
    json items = json::array();
    for (const auto& id : im.taskOrder) {
      const Task& t = *im.tasks[id];
      if (t.fsId != fsId || !matches(f, "TaskIds", id) || !matches(f, "DataFlowIds", t.dataFlowId) ||
          !matches(f, "Status", t.status) || !matches(f, "TaskActions", t.action) ||
          !matches(f, "DataTypes", t.dataType)) {
        continue;
      }
      auto fl = im.flows.find(t.dataFlowId);
      items.push_back(taskJson(t, fl == im.flows.end() ? nullptr : &fl->second));
    }
    std::string next;
    auto pg = page(items, p, &next);
    if (!pg.isOk()) return fail({400, "InvalidParameter.MaxResults", pg.status().message()});
    return reply({{"NextToken", next}, {"TaskInfo", {{"Task", *pg}}}});
  }
  if (action == "CancelDataFlowTask") {
    if (get(p, "DataFlowId").empty())
      return fail({400, "MissingDataFlowId", "DataFlowId is mandatory for this action."});
    if (get(p, "TaskId").empty()) return fail({400, "MissingTaskId", "TaskId is mandatory for this action."});
    auto it = im.tasks.find(get(p, "TaskId"));
    if (it == im.tasks.end() || it->second->fsId != fsId || it->second->dataFlowId != get(p, "DataFlowId")) {
      return fail({404, "InvalidTask.NotFound", "The specified task does not exist."});
    }
    Task& t = *it->second;
    if (t.status != "Pending" && t.status != "Executing") {
      return fail({403, "InvalidStatus.Task", "Only Pending or Executing tasks can be canceled."});
    }
    if (dryRun) return reply({});
    t.cancel = true;
    t.status = "Canceling";
    return reply({});
  }
  fail({404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method."});
}

}  // namespace ossvp::ossemu
