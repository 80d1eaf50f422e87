// Local HTTP peers for the controller's HTTP tests, on Boost.Beast so they
// share no code with what they test: LocalHttpClient (one keep-alive
// connection to a port) and OneShotServer (answers one request and keeps it).
//
// Thread-safety: each object belongs to one test thread; OneShotServer's
// `request` may be read after join().
#pragma once

#include <string>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace ossvp::controller::testing {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

// One connection to 127.0.0.1:port; send() writes a request and reads its answer.
class LocalHttpClient {
 public:
  explicit LocalHttpClient(int port) : stream_(io_) {
    stream_.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
  }
  http::response<http::string_body> send(http::verb method, const std::string& target, bool keepAlive = false) {
    http::request<http::empty_body> req(method, target, 11);
    req.set(http::field::host, "127.0.0.1");
    req.keep_alive(keepAlive);
    http::write(stream_, req);
    http::response_parser<http::string_body> parser;
    parser.skip(method == http::verb::head);
    http::read(stream_, buffer_, parser);
    return parser.release();
  }

 private:
  boost::asio::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

// Accepts one connection on 127.0.0.1, records its request, answers 403 + JSON.
class OneShotServer {
 public:
  OneShotServer() : acceptor_(io_, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0)) {
    thread_ = std::thread([this] {
      tcp::socket socket(io_);
      acceptor_.accept(socket);
      beast::flat_buffer buffer;
      http::read(socket, buffer, request);
      http::response<http::string_body> res(http::status::forbidden, 11);
      res.set(http::field::content_type, "application/json");
      res.body() = R"({"Code":"Denied"})";
      res.prepare_payload();
      res.keep_alive(false);
      http::write(socket, res);
    });
  }
  ~OneShotServer() { join(); }
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  int port() const { return acceptor_.local_endpoint().port(); }

  http::request<http::string_body> request;

 private:
  boost::asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

}  // namespace ossvp::controller::testing
