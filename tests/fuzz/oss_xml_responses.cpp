// Fuzz target: the OSS XML response bodies the client parses
// (ListObjectsV2, InitiateMultipartUpload, CompleteMultipartUpload) and the
// CompleteMultipartUpload request body built from parsed parts.
// Input: one selector byte, then the body.
// Invariants: no crash/UB/exception; a truncated list page always carries a
// continuation token; the built Complete body parses as XML with one <Part>
// per part.
#include <pugixml.hpp>

#include "fuzz_util.h"
#include "xml_responses.h"

using namespace ossvp::ossclient;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ossvp::fuzz::FuzzInput in(data, size);
  uint8_t which = in.byte() % 3;
  std::string_view body = in.rest();
  if (which == 0) {
    auto page = parseListObjectsV2(body);
    if (page.isOk()) {
      FUZZ_CHECK(!page->isTruncated || !page->nextContinuationToken.empty(), "truncated page without token");
    }
  } else if (which == 1) {
    auto id = parseInitiateMultipartUpload(body);
    if (id.isOk()) FUZZ_CHECK(!id->empty(), "empty UploadId accepted");
  } else {
    auto etag = parseCompleteMultipartUpload(body);
    // Round trip: parts named by the body's bytes go into a request body that must be well-formed XML.
    std::vector<PartResult> parts;
    int n = 0;
    for (size_t i = 0; i + 1 < body.size() && n < 16; i += 8, ++n) {
      PartResult p;
      p.partNumber = static_cast<unsigned char>(body[i]);
      for (char c : body.substr(i + 1, 7)) p.etag += static_cast<char>(0x20 + (static_cast<unsigned char>(c) % 95));
      parts.push_back(p);
    }
    std::string xml = buildCompleteMultipartXml(parts);
    pugi::xml_document doc;
    FUZZ_CHECK(doc.load_buffer(xml.data(), xml.size()), "built CompleteMultipartUpload body is not XML: " + xml);
    size_t count = 0;
    for (auto part : doc.child("CompleteMultipartUpload").children("Part")) {
      (void)part;
      ++count;
    }
    FUZZ_CHECK(count == parts.size(), "part count changed in the built body");
    (void)etag;
  }
  return 0;
}
