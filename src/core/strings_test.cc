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

TEST(StringsTest, PercentEncodeKeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(PercentEncode("aZ09-_.~"), "aZ09-_.~");
  EXPECT_EQ(PercentEncode("a b/c+d=é"), "a%20b%2Fc%2Bd%3D%C3%A9");
  EXPECT_EQ(PercentEncode("runs/1/model.pkl", true), "runs/1/model.pkl");
  EXPECT_EQ(PercentEncode(std::string_view("\0\xff", 2)), "%00%FF");
}

}  // namespace
}  // namespace leanops
