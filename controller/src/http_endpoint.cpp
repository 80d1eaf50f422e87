#include "ossvp/controller/http_endpoint.h"

#include <charconv>
#include <chrono>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace ossvp::controller {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Handlers = std::map<std::string, HttpEndpoint::Handler>;

constexpr std::chrono::seconds kIdleTimeout(5);

http::response<http::string_body> answer(const Handlers& handlers, const http::request<http::string_body>& req) {
  HttpReply reply{404, "text/plain; charset=utf-8", "not found\n"};
  const bool head = req.method() == http::verb::head;
  if (req.method() != http::verb::get && !head) {
    reply = {405, "text/plain; charset=utf-8", "method not allowed: use GET\n"};
  } else {
    std::string_view target(req.target().data(), req.target().size());
    std::string path(target.substr(0, target.find('?')));
    if (auto it = handlers.find(path); it != handlers.end()) reply = it->second();
  }
  http::response<http::string_body> res(static_cast<http::status>(reply.status), req.version());
  res.set(http::field::server, "ossvp-controller");
  res.set(http::field::content_type, reply.contentType);
  if (reply.status == 405) res.set(http::field::allow, "GET, HEAD");
  res.keep_alive(req.keep_alive());
  const size_t length = reply.body.size();
  if (!head) res.body() = std::move(reply.body);
  res.content_length(length);
  return res;
}

// One connection: read a request, answer it, repeat while keep-alive.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const Handlers& handlers) : stream_(std::move(socket)), handlers_(handlers) {}

  void read() {
    req_ = {};
    stream_.expires_after(kIdleTimeout);
    http::async_read(stream_, buffer_, req_,
                     [self = shared_from_this()](beast::error_code ec, size_t) { self->onRead(ec); });
  }

 private:
  void onRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream) return close();
    if (ec) return;  // timeout, reset or a malformed request: drop the connection
    res_ = answer(handlers_, req_);
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code wec, size_t) {
      if (wec) return;
      if (self->res_.keep_alive()) return self->read();
      self->close();
    });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  beast::tcp_stream stream_;
  const Handlers& handlers_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
};

// "HOST:PORT", "[V6]:PORT" or ":PORT" (all IPv4 interfaces).
Status parseAddress(const std::string& address, tcp::endpoint* out) {
  const std::string usage = "address '" + address +
                            "' must be HOST:PORT with HOST an IP address (127.0.0.1, 0.0.0.0, [::1]) and PORT "
                            "0-65535";
  auto colon = address.rfind(':');
  if (colon == std::string::npos) return invalidArgument(usage);
  std::string host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "0.0.0.0";
  const char* first = address.data() + colon + 1;
  const char* last = address.data() + address.size();
  unsigned port = 0;
  auto [end, err] = std::from_chars(first, last, port);
  if (first == last || err != std::errc() || end != last || port > 65535) return invalidArgument(usage);
  beast::error_code ec;
  auto ip = asio::ip::make_address(host, ec);
  if (ec) return invalidArgument(usage);
  *out = tcp::endpoint(ip, static_cast<unsigned short>(port));
  return Status::ok();
}

}  // namespace

struct HttpEndpoint::Server {
  explicit Server(const Handlers& h) : handlers(h) {}

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) std::make_shared<Session>(std::move(socket), handlers)->read();
      accept();
    });
  }

  const Handlers& handlers;
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  std::thread thread;
};

HttpEndpoint::HttpEndpoint() = default;

HttpEndpoint::~HttpEndpoint() { stop(); }

Status HttpEndpoint::start(const std::string& address) {
  if (server_) {
    return Status(StatusCode::PreconditionFailed,
                  "the HTTP endpoint is already serving on port " + std::to_string(port_));
  }
  tcp::endpoint endpoint;
  Status parsed = parseAddress(address, &endpoint);
  if (!parsed.isOk()) return parsed;
  auto server = std::make_unique<Server>(handlers_);
  beast::error_code ec;
  server->acceptor.open(endpoint.protocol(), ec);
  if (!ec) server->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) server->acceptor.bind(endpoint, ec);
  if (!ec) server->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return unavailable("cannot listen on " + address + ": " + ec.message());
  port_ = server->acceptor.local_endpoint().port();
  server->accept();
  Server* s = server.get();
  server->thread = std::thread([s] { s->io.run(); });
  server_ = std::move(server);
  return Status::ok();
}

void HttpEndpoint::stop() {
  if (!server_) return;
  server_->io.stop();
  if (server_->thread.joinable()) server_->thread.join();
  server_.reset();  // closes the acceptor and every open connection
}

}  // namespace ossvp::controller
