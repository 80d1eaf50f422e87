// Storage: the emulator's buckets, objects and multipart uploads, on a data
// directory (or in memory). Object data is written to a temp file and renamed
// into place, then its metadata file is renamed into place, so a crashed PUT
// leaves nothing visible; startup removes unreferenced data and temp files.
// Completing a multipart upload copies nothing: the parts become the object's
// segments (their files hard-linked into data/, or their blobs shared), so it
// costs O(parts) whatever the size. A copy shares or hard-links the source's
// data the same way. Seeded trees (--seed) are referenced in place, never
// copied or deleted.
//
// Layout under the data dir: buckets/<b>/bucket.json, buckets/<b>/meta/
// <sha256(key)>.json, buckets/<b>/data/<id>, uploads/<uploadId>/..., tmp/.
//
// Thread-safety: internally synchronized; data streams outside the lock.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ossvp/common/result.h"
#include "ossvp/ossemu/http.h"
#include "ossvp/ossemu/object_meta.h"

namespace ossvp::ossemu {

// How PutObject and UploadPart compute an ETag. OSS uses the MD5 of the
// data (Md5, the default). Crc64 derives it from the CRC64 and size, which
// the emulator computes anyway: for benchmarks on a machine the emulator
// shares with the client, where MD5 (about 0.75 GB/s per core) would bound
// every write, while OSS hashes on its own hardware. Such ETags end in "-0",
// so clients do not take them for an MD5 of the data, and responses carry no
// Content-MD5; a request that sends Content-MD5 still gets the MD5.
enum class EtagDigest { Md5, Crc64 };

struct StorageOptions {
  std::string dataDir;
  bool inMemory = false;
  std::string region = "cn-hangzhou";
  EtagDigest etagDigest = EtagDigest::Md5;
};

struct BucketInfo {
  std::string name;
  int64_t created = 0;
  std::string region;
};

struct ListParams {
  std::string prefix;
  std::string delimiter;
  std::string startAfter;  // exclusive; a common prefix skips its subtree
  int maxKeys = 1000;
};

struct ListResult {
  std::vector<ObjectMeta> contents;
  std::vector<std::string> commonPrefixes;
  bool truncated = false;
  std::string nextMarker;  // last key or prefix returned when truncated
};

struct PartInfo {
  int number = 0;
  uint64_t size = 0;
  std::string etag;  // unquoted
  uint64_t crc64 = 0;
  int64_t mtime = 0;
  std::string md5Raw;                       // 16 raw bytes (the ETag's digest)
  std::string path;                         // on disk
  std::shared_ptr<const std::string> data;  // in memory
};

struct UploadInfo {
  std::string uploadId;
  std::string bucket;
  std::string key;
  int64_t initiated = 0;
  ObjectMeta templ;  // content type and user metadata for the result
  std::map<int, PartInfo> parts;
};

// Streams one object's bytes into storage, computing MD5 and CRC64.
class ObjectWriter {
 public:
  virtual ~ObjectWriter();
  virtual Status write(const char* data, size_t n) = 0;
  uint64_t size() const { return size_; }
  uint64_t crc64() const { return crc_; }
  bool hashesMd5() const { return md5On_; }
  // Finishes the digest: the MD5 of the data, or with EtagDigest::Crc64 (and
  // no Content-MD5) 16 bytes of CRC64 and size, big-endian.
  std::string digestRaw();

 protected:
  void account(const char* data, size_t n);
  uint64_t size_ = 0;
  uint64_t crc_ = 0;
  bool md5On_ = true;
  void* md5_ = nullptr;  // EVP_MD_CTX
  std::string md5Done_;
  friend class Storage;
};

class Storage {
 public:
  static Result<std::unique_ptr<Storage>> open(const StorageOptions& options);
  ~Storage();

  Status createBucket(const std::string& name);
  Status deleteBucket(const std::string& name);
  Result<BucketInfo> bucket(const std::string& name) const;
  std::vector<BucketInfo> listBuckets() const;
  // Imports every regular file under dir as an object (key = relative path).
  Status seed(const std::string& bucket, const std::string& dir);

  Result<ObjectMeta> head(const std::string& bucket, const std::string& key) const;
  // A writer for one PutObject or UploadPart body. withMd5: the request sent
  // Content-MD5, so the MD5 is computed whatever the ETag digest.
  Result<std::unique_ptr<ObjectWriter>> newWriter(bool withMd5 = false);
  // Publishes the writer's data as bucket/key with the metadata in templ.
  Result<ObjectMeta> commit(const std::string& bucket, const std::string& key, ObjectWriter& writer, ObjectMeta templ,
                            bool forbidOverwrite);
  Status remove(const std::string& bucket, const std::string& key);
  // Copies src (or replaces only metadata when src == dst); shares its data.
  Result<ObjectMeta> copy(const std::string& srcBucket, const std::string& srcKey, const std::string& dstBucket,
                          const std::string& dstKey, const ObjectMeta* replaceMeta, bool forbidOverwrite);
  Result<ListResult> list(const std::string& bucket, const ListParams& params) const;
  // Sets the response body to bytes [offset, offset + length) of the object:
  // one slice per segment the range touches, file slices opened here.
  Status openBody(const ObjectMeta& meta, HttpResponse* resp, uint64_t offset, uint64_t length) const;

  Result<std::string> initiateUpload(const std::string& bucket, const std::string& key, ObjectMeta templ);
  Result<PartInfo> putPart(const std::string& bucket, const std::string& uploadId, int partNumber,
                           ObjectWriter& writer);
  // parts: (number, etag) in request order; empty with completeAll = use all.
  Result<ObjectMeta> completeUpload(const std::string& bucket, const std::string& key, const std::string& uploadId,
                                    const std::vector<std::pair<int, std::string>>& parts, bool completeAll,
                                    bool forbidOverwrite);
  Status abortUpload(const std::string& bucket, const std::string& key, const std::string& uploadId);
  Result<UploadInfo> upload(const std::string& bucket, const std::string& uploadId) const;
  std::vector<UploadInfo> listUploads(const std::string& bucket) const;

 private:
  struct Bucket {
    BucketInfo info;
    std::map<std::string, ObjectMeta> objects;
  };
  explicit Storage(StorageOptions options) : opt_(std::move(options)) {}
  Status load();
  Status persistMeta(const std::string& bucket, const ObjectMeta& meta);
  // Publishes m, whose data is in place, as bucket/key; on failure releases that data.
  Result<ObjectMeta> publishLocked(const std::string& bucket, const std::string& key, ObjectMeta m,
                                   bool forbidOverwrite);
  // Segments of bucket b's own with the bytes of `from`: blobs are shared;
  // files are hard-linked into b's data dir when mayLink, else copied once
  // (in memory: into blobs). No new file is left behind on failure.
  Result<std::vector<DataSegment>> ownSegments(const std::string& b, const std::vector<DataSegment>& from,
                                               bool mayLink) const;
  std::string newDataPath(const std::string& b) const;
  std::string bucketDir(const std::string& b) const;
  std::string metaPath(const std::string& b, const std::string& key) const;
  void releaseData(const ObjectMeta& old);

  StorageOptions opt_;
  mutable std::mutex mu_;
  std::map<std::string, Bucket> buckets_;
  std::map<std::string, UploadInfo> uploads_;
};

}  // namespace ossvp::ossemu
