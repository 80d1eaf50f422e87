#include "ossvp/fusecore/inode_table.h"

namespace ossvp::fusecore {

InodeTable::InodeTable(std::string rootPrefix, int64_t rootMtime) {
  Inode root;
  root.ino = kRootIno;
  root.parent = kRootIno;
  root.key = std::move(rootPrefix);
  root.isDir = true;
  root.mtime = rootMtime;
  root.nlookup = 1;
  rootMtime_ = rootMtime;
  inodes_.emplace(kRootIno, std::move(root));
}

std::optional<Inode> InodeTable::upsert(uint64_t parent, const DirEntry& entry, bool countLookup) {
  std::lock_guard<std::mutex> lock(mu_);
  auto pit = inodes_.find(parent);
  if (pit == inodes_.end() || !pit->second.isDir) return std::nullopt;
  std::string key = pit->second.key + entry.name + (entry.isDir ? "/" : "");
  auto nameKey = std::make_pair(parent, entry.name);
  auto it = byName_.find(nameKey);
  Inode* node = nullptr;
  if (it != byName_.end()) {
    auto n = inodes_.find(it->second);
    if (n != inodes_.end() && n->second.isDir == entry.isDir) node = &n->second;
  }
  if (node == nullptr) {
    Inode fresh;
    fresh.ino = next_++;
    fresh.parent = parent;
    fresh.name = entry.name;
    fresh.key = std::move(key);
    fresh.isDir = entry.isDir;
    fresh.mtime = rootMtime_;  // implicit directories have no time of their own
    node = &inodes_.emplace(fresh.ino, std::move(fresh)).first->second;
    byName_[nameKey] = node->ino;
  }
  node->size = entry.isDir ? 0 : entry.size;
  if (!entry.isDir || entry.mtime != 0) node->mtime = entry.mtime;
  node->etag = entry.etag;
  if (countLookup) ++node->nlookup;
  return *node;
}

std::optional<Inode> InodeTable::get(uint64_t ino) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = inodes_.find(ino);
  if (it == inodes_.end()) return std::nullopt;
  return it->second;
}

std::optional<Inode> InodeTable::child(uint64_t parent, const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = byName_.find({parent, name});
  if (it == byName_.end()) return std::nullopt;
  auto n = inodes_.find(it->second);
  if (n == inodes_.end()) return std::nullopt;
  return n->second;
}

void InodeTable::setAttrs(uint64_t ino, uint64_t size, int64_t mtime, const std::string& etag) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = inodes_.find(ino);
  if (it == inodes_.end()) return;
  it->second.size = size;
  it->second.mtime = mtime;
  it->second.etag = etag;
}

void InodeTable::forget(uint64_t ino, uint64_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  if (ino == kRootIno) return;
  auto it = inodes_.find(ino);
  if (it == inodes_.end()) return;
  Inode& node = it->second;
  node.nlookup = node.nlookup > n ? node.nlookup - n : 0;
  if (node.nlookup > 0) return;
  auto b = byName_.find({node.parent, node.name});
  if (b != byName_.end() && b->second == ino) byName_.erase(b);
  inodes_.erase(it);
}

void InodeTable::unbind(uint64_t parent, const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  byName_.erase({parent, name});
}

size_t InodeTable::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return inodes_.size();
}

}  // namespace ossvp::fusecore
