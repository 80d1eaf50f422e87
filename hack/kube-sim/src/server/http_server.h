// HttpServer: a small blocking HTTP/1.1 server (Boost.Beast) for kube-sim:
// one thread per connection, keep-alive, optional TLS, and a streaming
// (chunked) response mode for watches and log follows. Routing lives in the
// handler passed in (ApiServer).
//
// Thread-safety: start()/stop() from one thread; the handler is called
// concurrently from connection threads.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ossvp::kubesim {

struct HttpRequest {
  std::string method;
  std::string target;                          // raw target incl. query
  std::string path;                            // decoded path without query
  std::map<std::string, std::string> query;    // decoded; last value wins
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  bool tls = false;
  std::string header(const std::string& lowerName) const;
};

// What a handler writes to. Either respond() once, or startStream() then
// writeChunk() any number of times (returns false once the client is gone).
class HttpResponder {
 public:
  virtual ~HttpResponder() = default;
  virtual void respond(int status, const std::string& contentType, const std::string& body,
                       const std::map<std::string, std::string>& extraHeaders = {}) = 0;
  virtual bool startStream(int status, const std::string& contentType) = 0;
  virtual bool writeChunk(const std::string& data) = 0;
  virtual void endStream() = 0;
  // True once the peer has closed its side (checked between stream chunks).
  virtual bool clientGone() = 0;
};

using HttpHandler = std::function<void(const HttpRequest&, HttpResponder&)>;

class HttpServer {
 public:
  // `ssl` null: plain HTTP.
  HttpServer(HttpHandler handler, std::shared_ptr<boost::asio::ssl::context> ssl);
  ~HttpServer();

  // Binds host:port (port 0 picks) and starts accepting; returns the bound port or -1.
  int start(const std::string& host, int port, std::string* error);
  void stop();
  // Closes all open connections (fault injection: drop watches), keeps listening.
  void dropConnections();

 private:
  void acceptLoop();
  void serve(boost::asio::ip::tcp::socket socket, uint64_t id);

  HttpHandler handler_;
  std::shared_ptr<boost::asio::ssl::context> ssl_;
  boost::asio::io_context io_;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
  std::thread acceptThread_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  uint64_t nextId_ = 1;
  std::map<uint64_t, int> openFds_;  // connection id -> native fd (for shutdown)
  std::atomic<int> active_{0};       // connection threads still running (detached)
};

// Fills req.path and req.query (decoded; '+' in values is a space) from req.target.
void splitTarget(HttpRequest& req);

}  // namespace ossvp::kubesim
