#include "server/http_server.h"

#include <poll.h>
#include <sys/socket.h>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cctype>
#include <type_traits>

#include "ossvp/common/log.h"
#include "ossvp/common/percent_encoding.h"

namespace ossvp::kubesim {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string HttpRequest::header(const std::string& lowerName) const {
  auto it = headers.find(lowerName);
  return it == headers.end() ? "" : it->second;
}

namespace {

const char* reasonPhrase(int status) { return http::obsolete_reason(static_cast<http::status>(status)).data(); }

template <typename Stream>
class StreamResponder : public HttpResponder {
 public:
  StreamResponder(Stream& stream, unsigned version, bool keepAlive)
      : stream_(stream), version_(version), keepAlive_(keepAlive) {}

  void respond(int status, const std::string& contentType, const std::string& body,
               const std::map<std::string, std::string>& extra) override {
    http::response<http::string_body> res{static_cast<http::status>(status), version_};
    res.set(http::field::server, "kube-sim");
    res.set(http::field::content_type, contentType);
    res.set("Cache-Control", "no-cache, private");
    for (const auto& [k, v] : extra) res.set(k, v);
    res.keep_alive(keepAlive_);
    res.body() = body;
    res.prepare_payload();
    beast::error_code ec;
    http::write(stream_, res, ec);
    if (ec) ok_ = false;
    responded_ = true;
  }

  bool startStream(int status, const std::string& contentType) override {
    std::string head = "HTTP/1.1 " + std::to_string(status) + " " + reasonPhrase(status) +
                       "\r\nContent-Type: " + contentType +
                       "\r\nCache-Control: no-cache, private\r\nTransfer-Encoding: chunked\r\n\r\n";
    responded_ = true;
    streaming_ = true;
    return raw(head);
  }

  bool writeChunk(const std::string& data) override {
    if (data.empty()) return ok_;
    char len[32];
    std::snprintf(len, sizeof(len), "%zx\r\n", data.size());
    return raw(std::string(len) + data + "\r\n");
  }

  void endStream() override { raw("0\r\n\r\n"); }

  bool clientGone() override {
    if (!ok_) return true;
    int fd;
    if constexpr (std::is_same_v<Stream, tcp::socket>) {
      fd = stream_.native_handle();
    } else {
      fd = stream_.next_layer().native_handle();
    }
    pollfd p{fd, static_cast<short>(POLLRDHUP), 0};
    if (::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR))) {
      ok_ = false;
      return true;
    }
    return false;
  }

  bool responded() const { return responded_; }
  bool ok() const { return ok_; }
  bool streamed() const { return streaming_; }

 private:
  bool raw(const std::string& s) {
    if (!ok_) return false;
    beast::error_code ec;
    asio::write(stream_, asio::buffer(s), ec);
    if (ec) ok_ = false;
    return ok_;
  }
  Stream& stream_;
  unsigned version_;
  bool keepAlive_;
  bool responded_ = false;
  bool streaming_ = false;
  bool ok_ = true;
};

template <typename Stream>
void serveStream(Stream& stream, bool tls, const HttpHandler& handler, const std::atomic<bool>& stopping) {
  beast::flat_buffer buffer;
  while (!stopping) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    beast::error_code ec;
    http::read(stream, buffer, parser, ec);
    if (ec) return;
    auto& msg = parser.get();
    HttpRequest req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    req.tls = tls;
    for (const auto& f : msg) {
      std::string name(f.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req.headers[name] = std::string(f.value());
    }
    req.body = std::move(msg.body());
    splitTarget(req);
    StreamResponder<Stream> responder(stream, msg.version(), msg.keep_alive());
    try {
      handler(req, responder);
    } catch (const std::exception& e) {
      logError("kube-sim: handler for {} {} threw: {}", req.method, req.path, e.what());
      if (!responder.responded()) {
        responder.respond(
            500, "application/json",
            std::string(
                R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"internal error","reason":"InternalError","code":500})"),
            {});
      }
    }
    if (!responder.responded()) responder.respond(500, "text/plain", "no response", {});
    if (!responder.ok() || responder.streamed() || !msg.keep_alive()) return;
  }
}

}  // namespace

HttpServer::HttpServer(HttpHandler handler, std::shared_ptr<asio::ssl::context> ssl)
    : handler_(std::move(handler)), ssl_(std::move(ssl)) {}

HttpServer::~HttpServer() { stop(); }

int HttpServer::start(const std::string& host, int port, std::string* error) {
  try {
    tcp::endpoint ep(asio::ip::make_address(host), static_cast<unsigned short>(port));
    acceptor_ = std::make_unique<tcp::acceptor>(io_);
    acceptor_->open(ep.protocol());
    acceptor_->set_option(asio::socket_base::reuse_address(true));
    acceptor_->bind(ep);
    acceptor_->listen();
    int bound = acceptor_->local_endpoint().port();
    acceptThread_ = std::thread([this] { acceptLoop(); });
    return bound;
  } catch (const std::exception& e) {
    if (error) *error = "cannot listen on " + host + ":" + std::to_string(port) + ": " + e.what();
    return -1;
  }
}

void HttpServer::acceptLoop() {
  while (!stopping_) {
    tcp::socket socket(io_);
    beast::error_code ec;
    acceptor_->accept(socket, ec);
    if (ec) {
      if (stopping_) return;
      continue;
    }
    std::lock_guard<std::mutex> lock(mu_);
    uint64_t id = nextId_++;
    openFds_[id] = socket.native_handle();
    active_++;
    std::thread([this, s = std::move(socket), id]() mutable {
      serve(std::move(s), id);
      active_--;
    }).detach();
  }
}

void HttpServer::serve(tcp::socket socket, uint64_t id) {
  try {
    if (ssl_) {
      asio::ssl::stream<tcp::socket> stream(std::move(socket), *ssl_);
      beast::error_code ec;
      stream.handshake(asio::ssl::stream_base::server, ec);
      if (!ec) serveStream(stream, true, handler_, stopping_);
      stream.shutdown(ec);
      stream.next_layer().close(ec);
    } else {
      serveStream(socket, false, handler_, stopping_);
      beast::error_code ec;
      socket.shutdown(tcp::socket::shutdown_both, ec);
      socket.close(ec);
    }
  } catch (const std::exception& e) {
    logDebug("kube-sim: connection ended: {}", e.what());
  }
  std::lock_guard<std::mutex> lock(mu_);
  openFds_.erase(id);
}

void HttpServer::dropConnections() {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [id, fd] : openFds_) ::shutdown(fd, SHUT_RDWR);
}

void HttpServer::stop() {
  if (stopping_.exchange(true)) return;
  if (acceptor_) {
    beast::error_code ec;
    acceptor_->cancel(ec);
    ::shutdown(acceptor_->native_handle(), SHUT_RDWR);
    acceptor_->close(ec);
  }
  if (acceptThread_.joinable()) acceptThread_.join();
  // Connection threads notice the shutdown sockets and exit; wait for them.
  for (int i = 0; i < 100 && active_ > 0; i++) {
    dropConnections();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void splitTarget(HttpRequest& req) {
  size_t q = req.target.find('?');
  req.path = percentDecode(req.target.substr(0, q));
  if (q == std::string::npos) return;
  std::string qs = req.target.substr(q + 1);
  size_t start = 0;
  while (start <= qs.size()) {
    size_t amp = qs.find('&', start);
    std::string kv = qs.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    if (!kv.empty()) {
      size_t eq = kv.find('=');
      std::string k = percentDecode(kv.substr(0, eq));
      req.query[k] = eq == std::string::npos ? "" : percentDecode(kv.substr(eq + 1), true);
    }
    if (amp == std::string::npos) break;
    start = amp + 1;
  }
}

}  // namespace ossvp::kubesim
