#include "ossvp/controller/kube/watch_stream_decoder.h"

#include <algorithm>

namespace ossvp::controller::kube {

WatchStreamDecoder::WatchStreamDecoder(size_t maxLineBytes) : maxLineBytes_(maxLineBytes) {}

void WatchStreamDecoder::compact() {
  if (pos_ == 0) return;
  if (pos_ == buffer_.size()) {
    buffer_.clear();
  } else if (pos_ >= 4096 && pos_ * 2 >= buffer_.size()) {
    buffer_.erase(0, pos_);  // amortised: at most as many bytes moved as consumed
  } else {
    return;
  }
  searched_ = searched_ > pos_ ? searched_ - pos_ : 0;
  pos_ = 0;
}

void WatchStreamDecoder::feed(std::string_view bytes) {
  if (finished_ || !status_.isOk() || bytes.empty()) return;
  compact();
  size_t nl = bytes.rfind('\n');
  size_t tail = nl == std::string_view::npos ? tail_ + bytes.size() : bytes.size() - nl - 1;
  if (tail > maxLineBytes_) {
    // Keep the complete lines before the overlong one; drop the overlong part.
    if (nl == std::string_view::npos) {
      buffer_.resize(buffer_.size() - tail_);
    } else {
      buffer_.append(bytes.substr(0, nl + 1));
    }
    searched_ = std::min(searched_, buffer_.size());
    tail_ = 0;
    fail(tail);
    return;
  }
  buffer_.append(bytes);
  tail_ = tail;
}

void WatchStreamDecoder::finish() { finished_ = true; }

void WatchStreamDecoder::fail(size_t lineBytes) {
  status_ =
      unavailable("watch stream: an event line exceeds " + std::to_string(maxLineBytes_) + " bytes (at least " +
                  std::to_string(lineBytes) + " bytes without a newline); the server sent a broken or hostile stream");
}

std::optional<std::string_view> WatchStreamDecoder::nextLine() {
  size_t from = std::max(pos_, searched_);
  size_t nl = buffer_.find('\n', from);
  size_t end = nl, after = nl + 1;
  if (nl == std::string::npos) {
    searched_ = buffer_.size();
    if (!finished_ || pos_ == buffer_.size()) return std::nullopt;
    end = after = buffer_.size();  // the stream ended inside a line: take it
    tail_ = 0;
  }
  if (end - pos_ > maxLineBytes_) {
    fail(end - pos_);
    buffer_.clear();
    pos_ = searched_ = tail_ = 0;
    return std::nullopt;
  }
  std::string_view line(buffer_.data() + pos_, end - pos_);
  pos_ = after;
  return line;
}

std::optional<WatchEvent> WatchStreamDecoder::next() {
  while (auto line = nextLine()) {
    if (line->find_first_not_of(" \t\r") == std::string_view::npos) continue;  // blank
    Object parsed = Object::parse(line->begin(), line->end(), nullptr, false);
    if (parsed.is_object()) {
      auto type = parsed.find("type");
      if (type != parsed.end() && type->is_string()) {
        WatchEvent ev{type->get<std::string>(), Object()};
        auto object = parsed.find("object");
        if (object != parsed.end()) ev.object = std::move(*object);
        ++decoded_;
        return ev;
      }
    }
    ++skipped_;
  }
  return std::nullopt;
}

bool WatchStreamDecoder::deliver(const std::function<bool(const WatchEvent&)>& onEvent) {
  while (auto ev = next()) {
    if (!onEvent(*ev)) return false;
  }
  return true;
}

}  // namespace ossvp::controller::kube
