#include "xml_responses.h"

#include <pugixml.hpp>

#include <algorithm>
#include <charconv>

#include "ossvp/common/percent_encoding.h"
#include "ossvp/common/rfc3339.h"

namespace ossvp::ossclient {
namespace {

Result<pugi::xml_node> loadRoot(pugi::xml_document& doc, std::string_view body, const char* root) {
  pugi::xml_parse_result ok = doc.load_buffer(body.data(), body.size());
  if (!ok) {
    return unavailable(std::string("malformed XML in the ") + root + " response: " + ok.description() +
                       " (body starts: " + std::string(body.substr(0, 120)) + ")");
  }
  pugi::xml_node node = doc.child(root);
  if (!node) return unavailable(std::string("response is not a <") + root + "> document");
  return node;
}

uint64_t toU64(const char* s) {
  uint64_t v = 0;
  std::string_view sv(s);
  std::from_chars(sv.data(), sv.data() + sv.size(), v);
  return v;
}

}  // namespace

Result<ListPage> parseListObjectsV2(std::string_view body) {
  pugi::xml_document doc;
  OSSVP_ASSIGN_OR_RETURN(pugi::xml_node root, loadRoot(doc, body, "ListBucketResult"));
  bool url = std::string_view(root.child_value("EncodingType")) == "url";
  auto text = [url](const char* v) { return url ? percentDecode(v) : std::string(v); };
  ListPage page;
  page.isTruncated = std::string_view(root.child_value("IsTruncated")) == "true";
  page.nextContinuationToken = text(root.child_value("NextContinuationToken"));
  for (pugi::xml_node c : root.children("Contents")) {
    ObjectMeta m;
    m.key = text(c.child_value("Key"));
    m.size = toU64(c.child_value("Size"));
    m.mtime = parseRfc3339Seconds(c.child_value("LastModified")).value_or(0);
    m.etag = c.child_value("ETag");
    m.storageClass = c.child_value("StorageClass");
    m.objectType = c.child_value("Type");
    page.objects.push_back(std::move(m));
  }
  for (pugi::xml_node p : root.children("CommonPrefixes")) page.commonPrefixes.push_back(text(p.child_value("Prefix")));
  if (page.isTruncated && page.nextContinuationToken.empty()) {
    return unavailable("ListObjectsV2 page is truncated but has no NextContinuationToken");
  }
  return page;
}

Result<std::string> parseInitiateMultipartUpload(std::string_view body) {
  pugi::xml_document doc;
  OSSVP_ASSIGN_OR_RETURN(pugi::xml_node root, loadRoot(doc, body, "InitiateMultipartUploadResult"));
  std::string id = root.child_value("UploadId");
  if (id.empty()) return unavailable("InitiateMultipartUpload response has no UploadId");
  return id;
}

Result<std::string> parseCompleteMultipartUpload(std::string_view body) {
  pugi::xml_document doc;
  OSSVP_ASSIGN_OR_RETURN(pugi::xml_node root, loadRoot(doc, body, "CompleteMultipartUploadResult"));
  return std::string(root.child_value("ETag"));
}

std::string buildCompleteMultipartXml(std::vector<PartResult> parts) {
  std::sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) { return a.partNumber < b.partNumber; });
  pugi::xml_document doc;
  pugi::xml_node root = doc.append_child("CompleteMultipartUpload");
  for (const PartResult& p : parts) {
    pugi::xml_node part = root.append_child("Part");
    part.append_child("PartNumber").text().set(p.partNumber);
    part.append_child("ETag").text().set(p.etag.c_str());
  }
  struct Writer : pugi::xml_writer {
    std::string out;
    void write(const void* data, size_t size) override { out.append(static_cast<const char*>(data), size); }
  } w;
  doc.save(w, "", pugi::format_raw | pugi::format_no_declaration);
  return w.out;
}

}  // namespace ossvp::ossclient
