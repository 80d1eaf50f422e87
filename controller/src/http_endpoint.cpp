#include "ossvp/controller/http_endpoint.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

namespace ossvp::controller {
namespace {
const char* reasonPhrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 404: return "Not Found";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}
}  // namespace

HttpEndpoint::~HttpEndpoint() { stop(); }

Status HttpEndpoint::start(const std::string& address) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos) return invalidArgument("address '" + address + "' must be HOST:PORT");
  std::string host = address.substr(0, colon);
  int port = std::atoi(address.c_str() + colon + 1);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  if (host.empty()) host = "0.0.0.0";
  if (inet_pton(AF_INET, host.c_str(), &sa.sin_addr) != 1) {
    return invalidArgument("address '" + address + "': HOST must be an IPv4 address such as 127.0.0.1 or 0.0.0.0");
  }
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || ::listen(fd_, 64) != 0) {
    std::string err = std::strerror(errno);
    ::close(fd_);
    fd_ = -1;
    return unavailable("cannot listen on " + address + ": " + err);
  }
  socklen_t len = sizeof sa;
  ::getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len);
  port_ = ntohs(sa.sin_port);
  thread_ = std::thread([this] { serve(); });
  return Status::ok();
}

void HttpEndpoint::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void HttpEndpoint::serve() {
  while (!stopping_) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) continue;
    timeval tv{2, 0};
    ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string req;
    char buf[2048];
    while (req.find("\r\n\r\n") == std::string::npos && req.size() < 16384) {
      ssize_t n = ::recv(c, buf, sizeof buf, 0);
      if (n <= 0) break;
      req.append(buf, static_cast<size_t>(n));
    }
    HttpReply reply{404, "text/plain; charset=utf-8", "not found\n"};
    auto sp1 = req.find(' ');
    auto sp2 = req.find(' ', sp1 == std::string::npos ? 0 : sp1 + 1);
    if (sp1 != std::string::npos && sp2 != std::string::npos) {
      std::string path = req.substr(sp1 + 1, sp2 - sp1 - 1);
      path = path.substr(0, path.find('?'));
      if (auto it = handlers_.find(path); it != handlers_.end()) reply = it->second();
    }
    std::string head = "HTTP/1.0 " + std::to_string(reply.status) + " " + reasonPhrase(reply.status) +
                       "\r\nContent-Type: " + reply.contentType + "\r\nContent-Length: " +
                       std::to_string(reply.body.size()) + "\r\nConnection: close\r\n\r\n";
    std::string all = head + reply.body;
    size_t off = 0;
    while (off < all.size()) {
      ssize_t n = ::send(c, all.data() + off, all.size() - off, MSG_NOSIGNAL);
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
    ::close(c);
  }
}

}  // namespace ossvp::controller
