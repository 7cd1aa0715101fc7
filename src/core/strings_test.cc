#include "core/strings.h"

#include <gtest/gtest.h>

namespace leanops {
namespace {

using Pieces = std::vector<std::string>;

TEST(SplitTest, KeepsOrDropsEmptyPieces) {
  EXPECT_EQ(Split("a\n\nb\n", '\n', true), (Pieces{"a", "", "b"}));
  EXPECT_EQ(Split("a\n\nb\n", '\n', false), (Pieces{"a", "b"}));
  EXPECT_EQ(Split("/r/.dvc//x", '/', false), (Pieces{"r", ".dvc", "x"}));
  EXPECT_TRUE(Split("", '\n', true).empty());
  EXPECT_TRUE(Split("/", '/', false).empty());
  EXPECT_EQ(Split("no separator", '\n', true), (Pieces{"no separator"}));
}

}  // namespace
}  // namespace leanops
