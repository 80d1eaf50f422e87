// The user guide's events table and the controller agree: every event reason
// the controller declares (names.h, node_check.h) is listed with its type
// (Warning when the declaration says so, else Normal), and the table lists
// no other reason.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>

namespace {

std::string readSource(const std::string& relative) {
  std::ifstream in(std::string(OSSVP_SOURCE_DIR) + "/" + relative);
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// reason -> "Warning" / "Normal", from `... = "Reason";  // Warning ...` lines.
std::map<std::string, std::string> declaredReasons() {
  std::map<std::string, std::string> out;
  const std::regex decl(R"re(constexpr const char\* k\w+ = "(\w+)";[ \t]*(//[^\n]*)?)re");
  const std::string header = "controller/include/ossvp/controller/";
  for (const char* file : {"names.h", "node_check.h"}) {
    std::string text = readSource(header + file);
    // node_check.h states the type in the comment line above its constant.
    for (std::sregex_iterator it(text.begin(), text.end(), decl), end; it != end; ++it) {
      std::string comment = (*it)[2];
      size_t lineStart = text.rfind('\n', static_cast<size_t>(it->position()));
      size_t prevStart = lineStart == std::string::npos ? 0 : text.rfind('\n', lineStart - 1);
      std::string above = text.substr(prevStart + 1, lineStart - prevStart);
      bool commentAbove = above.find_first_not_of(" \t") == above.find("//");
      bool warning =
          comment.find("Warning") != std::string::npos || (commentAbove && above.find("Warning") != std::string::npos);
      out[(*it)[1]] = warning ? "Warning" : "Normal";
    }
  }
  return out;
}

// reason -> type, from the rows of the table under "## Status and events"
// whose first cell names reasons: "| `A` / `B` | Normal / Warning | ... |".
std::map<std::string, std::string> documentedReasons() {
  std::string guide = readSource("docs/user-guide.md");
  size_t from = guide.find("## Status and events");
  REQUIRE(from != std::string::npos);
  size_t to = guide.find("\n## ", from + 1);
  std::stringstream section(guide.substr(from, to - from));
  std::map<std::string, std::string> out;
  const std::regex code("`(\\w+)`");
  const std::regex type("(Warning|Normal)");
  std::string line;
  while (std::getline(section, line)) {
    if (line.rfind("| `", 0) != 0) continue;
    size_t c1 = line.find('|', 1), c2 = line.find('|', c1 + 1);
    std::string names = line.substr(1, c1 - 1), types = line.substr(c1 + 1, c2 - c1 - 1);
    std::vector<std::string> rs, ts;
    for (std::sregex_iterator it(names.begin(), names.end(), code), end; it != end; ++it) rs.push_back((*it)[1]);
    for (std::sregex_iterator it(types.begin(), types.end(), type), end; it != end; ++it) ts.push_back((*it)[1]);
    if (ts.empty()) continue;  // a status-field row
    REQUIRE((ts.size() == 1 || ts.size() == rs.size()));
    for (size_t i = 0; i < rs.size(); ++i) out[rs[i]] = ts.size() == 1 ? ts[0] : ts[i];
  }
  return out;
}

}  // namespace

TEST_CASE("events: the user guide lists exactly the reasons the controller emits, with their types",
          "[controller][docs]") {
  auto declared = declaredReasons();
  auto documented = documentedReasons();
  REQUIRE(declared.size() > 10);
  CHECK(declared.at("OSSVolumePopulatorInUse") == "Warning");
  CHECK(declared.at("PopulatorPodStuck") == "Warning");
  for (const auto& [r, t] : declared) {
    INFO("reason " << r);
    REQUIRE(documented.count(r) == 1);
    CHECK(documented.at(r) == t);
  }
  for (const auto& [r, t] : documented) {
    INFO("reason " << r << " is in the user guide but not in the controller");
    CHECK(declared.count(r) == 1);
  }
}
