// Progress of long operations. Library code reports through this interface
// (thread-safe); the CLI decides whether and how to draw it.
#pragma once

#include <cstdint>
#include <string>

namespace leanops {

class Progress {
 public:
  virtual ~Progress() = default;
  /// A new phase ("Hashing", "Pushing"...) with its known totals (0 if unknown).
  virtual void Begin(const std::string& phase, uint64_t total_files, uint64_t total_bytes) = 0;
  /// Work done since the last call; called from any thread.
  virtual void Advance(uint64_t files, uint64_t bytes) = 0;
  virtual void End() = 0;
};

/// A Progress that ignores everything.
Progress& NoProgress();

}  // namespace leanops
