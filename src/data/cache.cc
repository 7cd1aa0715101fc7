#include "data/cache.h"

#include <algorithm>
#include <array>

#include "core/error.h"
#include "core/md5.h"
#include "data/remote.h"

namespace leanops {

std::string HashFile(FileSystem& fs, const std::string& path) {
  Md5 md5;
  fs.ReadChunks(path, 1 << 20, [&](const char* data, size_t n) { md5.Update(data, n); });
  return md5.HexDigest();
}

Cache::Cache(FileSystem& fs, std::string root, std::vector<LinkType> link_types)
    : fs_(fs), root_(std::move(root)), link_types_(std::move(link_types)) {}

std::string Cache::ObjectPath(const std::string& oid) const {
  return root_ + "/" + ObjectRelPath(oid);
}

bool Cache::Has(const std::string& oid) { return fs_.Stat(ObjectPath(oid)).is_file(); }

void Cache::EnsureObjectDir(const std::string& oid) {
  // One mkdir per prefix per process, not one per object.
  int prefix = std::stoi(oid.substr(0, 2), nullptr, 16);
  if (prefix_made_[prefix].load(std::memory_order_relaxed)) return;
  fs_.MakeDirs(root_ + "/files/md5/" + oid.substr(0, 2));
  prefix_made_[prefix].store(true, std::memory_order_relaxed);
}

std::string Cache::TempPath(const std::string& oid) {
  EnsureObjectDir(oid);
  return TempNameFor(ObjectPath(oid));
}

std::string Cache::IncomingTempPath() {
  fs_.MakeDirs(root_ + "/files/md5");
  return TempNameFor(root_ + "/files/md5/incoming");
}

void Cache::AdoptFile(const std::string& temp_path, const std::string& oid) {
  EnsureObjectDir(oid);
  fs_.Chmod(temp_path, 0444);
  fs_.Rename(temp_path, ObjectPath(oid));
}

void Cache::InsertFile(const std::string& source, const std::string& oid) {
  if (Has(oid)) return;
  if (LinksWorkspace()) {
    std::string temp = TempPath(oid);
    try {
      fs_.Hardlink(source, temp);  // same filesystem: the object shares the bytes
      AdoptFile(temp, oid);
      return;
    } catch (const Error&) {
      fs_.RemoveFile(temp);  // another filesystem: fall back to a copy
    }
  }
  EnsureObjectDir(oid);
  fs_.CopyFileAtomic(source, ObjectPath(oid), 0444);
}

bool Cache::LinksWorkspace() const {
  LinkType first = link_types_.front();
  return first == LinkType::kHardlink || first == LinkType::kSymlink;
}

void Cache::LinkWorkspace(const std::string& path, const std::string& oid, bool executable) {
  if (!LinksWorkspace()) return;
  FileInfo workspace = fs_.Stat(path);
  if (link_types_.front() == LinkType::kSymlink && workspace.type == FileType::kSymlink) return;
  if (link_types_.front() == LinkType::kHardlink &&
      workspace.inode == fs_.Stat(ObjectPath(oid)).inode)
    return;
  Materialize(oid, path, executable);
}

void Cache::InsertBytes(const std::string& bytes, const std::string& oid) {
  if (Has(oid)) return;
  EnsureObjectDir(oid);
  fs_.WriteFileAtomic(ObjectPath(oid), bytes, 0444);
}

std::vector<ManifestEntry> Cache::LoadManifest(const std::string& oid) {
  std::string path = ObjectPath(oid);
  if (!fs_.Stat(path).is_file())
    ThrowData("directory manifest {} is not in the cache (try 'leanops pull' or 'leanops fetch')",
              oid);
  std::string bytes = fs_.ReadFile(path);
  if (ManifestOid(bytes) != oid) {
    fs_.RemoveFile(path);
    ThrowData(
        "cache object {} is corrupted (its contents do not match its hash); removed it, "
        "fetch it again with 'leanops fetch'",
        path);
  }
  return ParseManifest(bytes, oid);
}

bool Cache::Verify(const std::string& oid) {
  std::string path = ObjectPath(oid);
  bool ok;
  if (oid.ends_with(".dir"))
    ok = ManifestOid(fs_.ReadFile(path)) == oid;
  else
    ok = HashFile(fs_, path) == oid;
  if (!ok) fs_.RemoveFile(path);
  return ok;
}

void Cache::Materialize(const std::string& oid, const std::string& dest, bool executable) {
  std::string object = ObjectPath(oid);
  std::string temp = TempNameFor(dest);
  std::string last_error;
  for (LinkType type : link_types_) {
    try {
      switch (type) {
        case LinkType::kReflink:
          fs_.Reflink(object, temp);
          break;
        case LinkType::kHardlink:
          fs_.Hardlink(object, temp);
          break;
        case LinkType::kSymlink:
          fs_.Symlink(object, temp);
          break;
        case LinkType::kCopy:
          fs_.CopyFile(object, temp, /*durable=*/false);
          break;
      }
      if (type == LinkType::kCopy || type == LinkType::kReflink)
        fs_.Chmod(temp, executable ? 0755 : 0644);
      fs_.Rename(temp, dest);
      return;
    } catch (const Error& e) {
      fs_.RemoveFile(temp);
      last_error = e.what();
    }
  }
  ThrowIO("cannot create '{}' from the cache: {}", dest, last_error);
}

uint64_t Cache::Generation() {
  Md5 md5;
  std::string base = root_ + "/files/md5";
  for (int prefix = -1; prefix < 256; ++prefix) {
    std::string dir = prefix < 0 ? base : fmt::format("{}/{:02x}", base, prefix);
    FileInfo info = fs_.Stat(dir);
    int64_t fields[2] = {info.exists() ? info.mtime_ns : -1, static_cast<int64_t>(info.inode)};
    md5.Update(fields, sizeof(fields));
  }
  std::array<unsigned char, 16> digest = md5.Digest();
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | digest[i];
  return value >> 4;  // 60 bits: fits the state index's signed integer
}

std::vector<std::string> Cache::ListOids() {
  std::vector<std::string> oids;
  std::string base = root_ + "/files/md5";
  for (const std::string& prefix : fs_.ListDir(base)) {
    if (prefix.size() != 2) continue;
    for (const std::string& rest : fs_.ListDir(base + "/" + prefix)) {
      if (IsTempName(rest)) continue;
      oids.push_back(prefix + rest);
    }
  }
  std::sort(oids.begin(), oids.end());
  return oids;
}

size_t Cache::RemoveTempFiles() {
  size_t removed = 0;
  std::string base = root_ + "/files/md5";
  for (const std::string& name : fs_.ListDir(base)) {
    std::string path = base + "/" + name;
    if (IsTempName(name)) {
      fs_.RemoveFile(path);
      ++removed;
      continue;
    }
    if (name.size() != 2) continue;
    for (const std::string& rest : fs_.ListDir(path)) {
      if (!IsTempName(rest)) continue;
      fs_.RemoveFile(path + "/" + rest);
      ++removed;
    }
  }
  return removed;
}

}  // namespace leanops
