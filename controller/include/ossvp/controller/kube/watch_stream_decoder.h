// WatchStreamDecoder: turns the body of a Kubernetes watch response (one JSON
// event per line, {"type": ..., "object": ...}, arriving in chunks cut
// anywhere, even inside a line or a UTF-8 sequence) into WatchEvents.
//
// feed() appends bytes; next() returns the next complete event. Blank lines
// are ignored; a line that is not a JSON object with a string "type" is
// skipped and counted (skippedLines()); "object" may be absent (null). finish() marks the end of the stream, so a last
// line without its newline still counts. A line longer than maxLineBytes (a broken or hostile server) puts the decoder
// into a failed state: status() says why, next() still returns the complete lines before the long one but nothing after
// it, and later feeds are ignored, so memory stays bounded. RestApiClient::watch uses it for every stream; it is public
// so that it is unit-tested and fuzzed directly (tests/fuzz/controller_watch_events.cpp).
//
// Thread-safety: none; one decoder per stream, used from one thread.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "ossvp/common/status.h"
#include "ossvp/controller/kube/api_client.h"

namespace ossvp::controller::kube {

class WatchStreamDecoder {
 public:
  // Large enough for any object etcd accepts (1.5 MiB by default) many times over.
  static constexpr size_t kDefaultMaxLineBytes = 32u << 20;

  explicit WatchStreamDecoder(size_t maxLineBytes = kDefaultMaxLineBytes);

  // Appends the next bytes of the stream (ignored after finish() or a failure).
  void feed(std::string_view bytes);
  // The stream ended: a trailing unterminated line becomes decodable.
  void finish();
  // The next complete event, or nullopt when more bytes are needed (or the
  // stream is finished and drained, or the decoder failed).
  std::optional<WatchEvent> next();
  // Calls onEvent with every complete event, in order; returns false as soon
  // as onEvent does (the caller stops the stream), else true.
  bool deliver(const std::function<bool(const WatchEvent&)>& onEvent);

  // Ok, or the reason decoding stopped (a line over the limit).
  const Status& status() const { return status_; }
  size_t skippedLines() const { return skipped_; }
  size_t eventsDecoded() const { return decoded_; }
  // Bytes held for lines not yet returned (complete or partial).
  size_t bufferedBytes() const { return buffer_.size() - pos_; }

 private:
  // The next complete line (without its newline), advancing past it; nullopt if none.
  std::optional<std::string_view> nextLine();
  void fail(size_t lineBytes);
  void compact();

  const size_t maxLineBytes_;
  std::string buffer_;  // pending bytes; [0, pos_) already consumed
  size_t pos_ = 0;
  size_t tail_ = 0;      // bytes after the last newline in buffer_ (the partial line)
  size_t searched_ = 0;  // buffer_[pos_, searched_) is known to hold no newline
  bool finished_ = false;
  Status status_;
  size_t skipped_ = 0;
  size_t decoded_ = 0;
};

}  // namespace ossvp::controller::kube
