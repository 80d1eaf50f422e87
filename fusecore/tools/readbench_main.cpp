// ossvp-readbench: reads objects to /dev/null, either through the ReadEngine
// (the mount's and populator's read path, no FUSE) or as "raw" parallel
// ranged GETs straight from ossclient (the wire limit used by the benchmark),
// or as "objects": many small objects, one whole-object GET each (no HEAD),
// `--parallel` in flight (the small-file limit; `--part` is the buffer size).
// With --one-at-a-time the keys are read one after the other instead of all
// at once (raw: each key's parts `--parallel` in flight, sizes HEADed before
// the clock starts): the per-file latency limit of a reader that reads files
// one at a time, connections kept between files.
//   ossvp-readbench --endpoint URL --bucket B [--mode engine|raw|objects] [--bs 1M]
//                   [--part 8M] [--window W] [--parallel 16] [--adaptive] [--io-threads N]
//                   [--one-at-a-time] KEY...
// Credentials from the ALIBABA_CLOUD_ACCESS_KEY_* env vars. Prints one JSON line.
#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <iostream>
#include <thread>

#include "ossvp/common/log.h"
#include "ossvp/common/size_parse.h"
#include "ossvp/fusecore/read_engine.h"
#include "ossvp/ossclient/curl_object_client.h"

using namespace ossvp;

namespace {

// Whole-object GETs of `keys` by `parallel` workers, each into its own
// pre-touched buffer of `capacity` bytes. Returns bytes read; counts errors.
uint64_t readObjects(ossclient::ObjectClient& client, const std::string& bucket, const std::vector<std::string>& keys,
                     int parallel, uint64_t capacity, std::atomic<int>& errors) {
  std::atomic<size_t> next{0};
  std::atomic<uint64_t> total{0};
  std::vector<std::vector<char>> bufs(static_cast<size_t>(parallel), std::vector<char>(capacity, 1));
  std::vector<std::thread> ws;
  for (int w = 0; w < parallel; ++w) {
    ws.emplace_back([&, w] {
      for (size_t i = next++; i < keys.size(); i = next++) {
        ossclient::GetRequest req;
        req.bucket = bucket;
        req.key = keys[i];
        req.dest = bufs[static_cast<size_t>(w)].data();
        req.destCapacity = capacity;
        req.verifyCrc = false;
        auto r = client.get(req);
        if (!r.isOk()) {
          std::cerr << keys[i] << ": " << r.status().toString() << "\n";
          ++errors;
          continue;
        }
        total += r->bytesWritten;
      }
    });
  }
  for (auto& t : ws) t.join();
  return total.load();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("ossvp-readbench");
  std::string endpoint, bucket, region = "cn-hangzhou", mode = "engine", bsText = "1M", partText = "8M", memText = "1G",
                                windowText;
  int parallel = 16;
  int ioThreads = 0;
  bool adaptive = false;
  bool oneAtATime = false;
  std::vector<std::string> keys;
  app.add_option("--endpoint", endpoint)->required();
  app.add_option("--bucket", bucket)->required();
  app.add_option("--region", region);
  app.add_option("--mode", mode)->check(CLI::IsMember({"engine", "raw", "objects"}));
  app.add_option("--bs", bsText, "read size (engine mode)");
  app.add_option("--part", partText, "part size");
  app.add_option("--memory", memText, "memory budget (engine mode)");
  app.add_option("--window", windowText, "largest read-ahead window per stream (engine mode; default: the engine's)");
  app.add_option("--parallel", parallel, "GETs in flight (raw) / max inflight (engine)");
  app.add_flag("--adaptive", adaptive,
               "engine mode: start at the engine's default in-flight limit and adapt up to --parallel");
  app.add_option("--io-threads", ioThreads, "ossclient I/O loop threads (0: the client's default)");
  app.add_flag("--one-at-a-time", oneAtATime, "engine/raw: read the keys one after the other, not all at once");
  app.add_option("keys", keys)->required();
  CLI11_PARSE(app, argc, argv);
  if (oneAtATime && mode == "objects") {
    std::cerr << "--one-at-a-time reads large objects in turn (--mode engine or raw); --mode objects already "
                 "reads whole objects, --parallel at a time (use --parallel 1 for one at a time)\n";
    return 2;
  }
  initLogging({});
  uint64_t bs = *parseByteSize(bsText), part = *parseByteSize(partText), mem = *parseByteSize(memText);

  ossclient::ClientOptions co;
  co.endpoint = endpoint;
  co.region = region;
  co.maxConnections = parallel + 16;
  if (ioThreads > 0) co.ioThreads = ioThreads;
  auto creds = ossclient::makeDefaultCredentialsChain(co);
  if (!creds.isOk()) {
    std::cerr << creds.status().toString() << "\n";
    return 2;
  }
  auto c = ossclient::makeCurlObjectClient(co, *creds);
  if (!c.isOk()) {
    std::cerr << c.status().toString() << "\n";
    return 2;
  }
  std::shared_ptr<ossclient::ObjectClient> client(std::move(*c));
  // raw: one part buffer per worker, allocated and touched before the clock
  // starts (the limit measured is the wire's, not first-touch page faults).
  std::vector<std::vector<char>> rawBufs;
  const size_t bufSets = oneAtATime ? 1 : keys.size();
  if (mode == "raw") rawBufs.assign(bufSets * static_cast<size_t>(parallel), std::vector<char>(part, 1));
  // One at a time: the sizes are known before the clock starts, as a reader
  // that listed the directory knows them.
  std::vector<ossclient::ObjectMeta> known;
  for (size_t k = 0; oneAtATime && k < keys.size(); ++k) {
    auto meta = client->head(bucket, keys[k]);
    if (!meta.isOk()) {
      std::cerr << meta.status().toString() << "\n";
      return 1;
    }
    known.push_back(*meta);
  }
  auto start = std::chrono::steady_clock::now();
  std::atomic<uint64_t> total{0};
  std::atomic<int> errors{0};
  if (mode == "objects") {
    uint64_t bytes = readObjects(*client, bucket, keys, parallel, part, errors);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << fmt::format(
        "{{\"mode\":\"objects\",\"objects\":{},\"bytes\":{},\"seconds\":{:.3f},"
        "\"objectsPerSec\":{:.1f},\"MBps\":{:.1f},\"errors\":{}}}\n",
        keys.size(), bytes, secs, keys.size() / secs, bytes / secs / 1e6, errors.load());
    return errors.load() == 0 ? 0 : 1;
  }
  std::vector<std::thread> threads;
  fusecore::EngineOptions eo;
  eo.partSize = part;
  eo.memoryBudget = mem;
  if (!windowText.empty()) eo.maxWindow = *parseByteSize(windowText);
  eo.maxInflight = static_cast<size_t>(parallel);
  // A fixed setting unless --adaptive: the raw rows compare settings.
  if (!adaptive) eo.initialInflight = eo.maxInflight;
  fusecore::ReadEngine engine(client, eo);
  auto readKey = [&](size_t k) {
    const std::string& key = keys[k];
    auto meta = oneAtATime ? Result<ossclient::ObjectMeta>(known[k]) : client->head(bucket, key);
    if (!meta.isOk()) {
      std::cerr << meta.status().toString() << "\n";
      ++errors;
      return;
    }
    if (mode == "engine") {
      auto reader = engine.open(bucket, *meta);
      std::vector<char> buf(bs);
      for (uint64_t off = 0; off < meta->size;) {
        auto n = reader->read(off, buf.data(), bs);
        if (!n.isOk() || *n == 0) {
          ++errors;
          return;
        }
        off += *n;
        total += *n;
      }
      return;
    }
    // raw: `parallel` workers each GET every parallel-th part into its own buffer.
    std::atomic<uint64_t> next{0};
    std::vector<std::thread> ws;
    for (int w = 0; w < parallel; ++w) {
      ws.emplace_back([&, w] {
        std::vector<char>& buf = rawBufs[(oneAtATime ? 0 : k) * static_cast<size_t>(parallel) + static_cast<size_t>(w)];
        for (;;) {
          uint64_t off = next.fetch_add(part);
          if (off >= meta->size) return;
          ossclient::GetRequest req;
          req.bucket = bucket;
          req.key = key;
          req.offset = off;
          req.length = std::min<uint64_t>(part, meta->size - off);
          req.dest = buf.data();
          req.destCapacity = buf.size();
          auto r = client->get(req);
          if (!r.isOk()) {
            ++errors;
            return;
          }
          total += r->bytesWritten;
        }
      });
    }
    for (auto& w : ws) w.join();
  };
  for (size_t k = 0; k < keys.size(); ++k) {
    if (oneAtATime) {
      readKey(k);
    } else {
      threads.emplace_back(readKey, k);
    }
  }
  for (auto& t : threads) t.join();
  if (mode == "engine") {
    fusecore::EngineStats es = engine.stats();
    std::cerr << fmt::format("engine: {} GETs, {} MiB fetched, memory peak {} MiB, in-flight limit {} (grew {}x)\n",
                             es.getRequests, es.bytesFetched >> 20, es.memoryPeak >> 20, es.inflightLimit,
                             es.concurrencyGrowths);
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << fmt::format("{{\"mode\":\"{}\",\"bytes\":{},\"seconds\":{:.3f},\"MBps\":{:.1f},\"errors\":{}}}\n", mode,
                           total.load(), secs, total.load() / secs / 1e6, errors.load());
  return errors.load() == 0 ? 0 : 1;
}
