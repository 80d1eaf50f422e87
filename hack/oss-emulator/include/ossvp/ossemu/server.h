// Server: the TCP listener of the emulator. Accepts connections on
// 127.0.0.1:PORT (0 = pick a free port) and serves each keep-alive connection
// on its own thread with blocking I/O (sendfile for object bodies), so slow
// or stalled clients never hold up others; hundreds of concurrent connections
// are fine. stop() closes the listener, unblocks every connection and joins.
//
// Thread-safety: start/stop from one thread; connection threads call into
// the Emulator concurrently.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "ossvp/common/result.h"
#include "ossvp/ossemu/emulator.h"

namespace ossvp::ossemu {

class Server {
 public:
  // listen: "host:port"; the host must be a numeric IPv4 address.
  static Result<std::unique_ptr<Server>> start(Emulator& emulator, const std::string& listen);
  ~Server();
  int port() const { return port_; }
  std::string endpoint() const;  // "http://127.0.0.1:PORT"
  void stop();

 private:
  Server(Emulator& e) : emulator_(e) {}
  void acceptLoop();
  void serve(int fd, std::string peer, uint64_t threadId);

  Emulator& emulator_;
  int listenFd_ = -1;
  int port_ = 0;
  std::string host_;
  std::atomic<bool> stopping_{false};
  std::thread acceptThread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::set<int> connections_;                // guarded by mu_
  int active_ = 0;                           // guarded by mu_
  uint64_t nextThreadId_ = 0;                // guarded by mu_
  std::map<uint64_t, std::thread> threads_;  // guarded by mu_
  std::vector<uint64_t> finished_;           // guarded by mu_: threads to join
  void reapLocked();
};

}  // namespace ossvp::ossemu
