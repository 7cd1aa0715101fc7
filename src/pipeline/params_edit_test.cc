// Tests of SetYamlValues: values set in place with comments kept, keys
// added where they belong, and the fallback for flow style.
#include "pipeline/params_edit.h"

#include <gtest/gtest.h>

namespace leanops {
namespace {

TEST(ParamsEditTest, ReplacesScalarsInPlaceKeepingComments) {
  std::string text =
      "# churn params\n"
      "prepare:\n"
      "  split: 0.2   # held out\n"
      "train:\n"
      "  model:\n"
      "    type: xgboost\n"
      "    max_depth: 6   # deeper overfits\n"
      "    learning_rate: 0.3\n"
      "  seed: 1\n";
  std::string out = SetYamlValues(
      text, {{"train.model.max_depth", 4}, {"train.model.learning_rate", 0.05}}, "params.yaml");
  EXPECT_EQ(out,
            "# churn params\n"
            "prepare:\n"
            "  split: 0.2   # held out\n"
            "train:\n"
            "  model:\n"
            "    type: xgboost\n"
            "    max_depth: 4   # deeper overfits\n"
            "    learning_rate: 0.05\n"
            "  seed: 1\n");
}

TEST(ParamsEditTest, AddsMissingKeysAtTheEndOfTheirMapping) {
  std::string text = "train:\n  model:\n    type: xgboost\n  seed: 1\nother: 2\n";
  std::string out = SetYamlValues(
      text, {{"train.model.subsample", 0.8}, {"train.data.target", "churned"}, {"new.key", true}},
      "params.yaml");
  EXPECT_EQ(out,
            "train:\n  model:\n    type: xgboost\n    subsample: 0.8\n  seed: 1\n"
            "  data:\n    target: churned\nother: 2\nnew:\n  key: true\n");
}

TEST(ParamsEditTest, QuotesStringsThatWouldReadAsAnotherType) {
  std::string out = SetYamlValues("a:\n  b: x\n", {{"a.b", "true"}}, "p.yaml");
  EXPECT_EQ(ParseParamsText(out, "p.yaml")["a"]["b"], "true");
}

TEST(ParamsEditTest, FlowStyleIsRewrittenWhole) {
  std::string out =
      SetYamlValues("train: {model: {max_depth: 6}}\n", {{"train.model.max_depth", 3}}, "p.yaml");
  EXPECT_EQ(ParseParamsText(out, "p.yaml"),
            ParseParamsText("train:\n  model:\n    max_depth: 3\n", "p.yaml"));
}

TEST(ParamsEditTest, AnEmptyFileGetsTheKeys) {
  std::string out = SetYamlValues("", {{"train.model.max_depth", 3}}, "p.yaml");
  EXPECT_EQ(ParseParamsText(out, "p.yaml")["train"]["model"]["max_depth"], 3);
}

}  // namespace
}  // namespace leanops
