#include "data/dvcignore.h"

#include <gtest/gtest.h>

namespace leanops {
namespace {

TEST(IgnoreRulesTest, EmptyAndCommentsOnly) {
  EXPECT_TRUE(IgnoreRules::Parse("").empty());
  IgnoreRules rules = IgnoreRules::Parse("# a comment\n\n   \n");
  EXPECT_TRUE(rules.empty());
  EXPECT_FALSE(rules.Ignored("data/a.csv", false));
}

TEST(IgnoreRulesTest, NameWithoutSlashMatchesAtAnyDepth) {
  IgnoreRules rules = IgnoreRules::Parse("*.tmp\n.DS_Store\n");
  EXPECT_TRUE(rules.Ignored("x.tmp", false));
  EXPECT_TRUE(rules.Ignored("data/deep/x.tmp", false));
  EXPECT_TRUE(rules.Ignored("data/.DS_Store", false));
  EXPECT_FALSE(rules.Ignored("data/x.tmpl", false));
  EXPECT_FALSE(rules.Ignored("data/a.csv", false));
}

TEST(IgnoreRulesTest, SlashAnchorsAtTheRoot) {
  IgnoreRules rules = IgnoreRules::Parse("/data/raw/*.bin\ndocs/draft.md\n");
  EXPECT_TRUE(rules.Ignored("data/raw/x.bin", false));
  EXPECT_FALSE(rules.Ignored("other/data/raw/x.bin", false));
  EXPECT_FALSE(rules.Ignored("data/raw/sub/x.bin", false));  // '*' stops at '/'
  EXPECT_TRUE(rules.Ignored("docs/draft.md", false));
  EXPECT_FALSE(rules.Ignored("a/docs/draft.md", false));
}

TEST(IgnoreRulesTest, DirectoryOnlyPatternsAndTheirContents) {
  IgnoreRules rules = IgnoreRules::Parse("cache/\n");
  EXPECT_TRUE(rules.Ignored("data/cache", true));
  EXPECT_FALSE(rules.Ignored("data/cache", false));  // a file named cache stays
  EXPECT_TRUE(rules.Ignored("data/cache/x.bin", false));
  EXPECT_TRUE(rules.Ignored("data/cache/deep/x.bin", false));
}

TEST(IgnoreRulesTest, NegationLastMatchWins) {
  IgnoreRules rules = IgnoreRules::Parse("*.log\n!keep.log\n");
  EXPECT_TRUE(rules.Ignored("data/a.log", false));
  EXPECT_FALSE(rules.Ignored("data/keep.log", false));
  // A file cannot be re-included when its directory is ignored (as in git).
  IgnoreRules dir_rules = IgnoreRules::Parse("tmp/\n!tmp/keep.txt\n");
  EXPECT_TRUE(dir_rules.Ignored("tmp/keep.txt", false));
}

TEST(IgnoreRulesTest, DoubleStarSpansDirectories) {
  IgnoreRules rules = IgnoreRules::Parse("data/**/*.png\n**/checkpoints\n");
  EXPECT_TRUE(rules.Ignored("data/a.png", false));
  EXPECT_TRUE(rules.Ignored("data/x/y/a.png", false));
  EXPECT_FALSE(rules.Ignored("other/a.png", false));
  EXPECT_TRUE(rules.Ignored("checkpoints", true));
  EXPECT_TRUE(rules.Ignored("a/b/checkpoints/model.pt", false));
}

TEST(IgnoreRulesTest, EscapesAndTrailingSpaces) {
  IgnoreRules rules = IgnoreRules::Parse("\\#notes.txt\nspaced.txt   \n\\!bang\n");
  EXPECT_TRUE(rules.Ignored("#notes.txt", false));
  EXPECT_TRUE(rules.Ignored("spaced.txt", false));
  EXPECT_TRUE(rules.Ignored("!bang", false));
}

}  // namespace
}  // namespace leanops
