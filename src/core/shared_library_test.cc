#include "core/shared_library.h"

#include <gtest/gtest.h>

#include <cstring>

namespace leanops {
namespace {

TEST(SharedLibraryTest, ResolvesSymbolsAndNamesWhatIsMissing) {
  SharedLibrary libc("libc.so.6", "tests", "libc6", "a newer libc6");
  size_t (*length)(const char*) = nullptr;
  libc.Resolve("strlen", &length);
  EXPECT_EQ(length("four"), 4u);
  try {
    libc.Resolve("leanops_no_such_symbol", &length);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kIO);
    EXPECT_EQ(std::string(e.what()),
              "libc.so.6 lacks leanops_no_such_symbol; install a newer libc6");
  }
  try {
    SharedLibrary("libleanops-missing.so.1", "a test", "leanops-missing", "");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kIO);
    std::string message = e.what();
    EXPECT_EQ(message.rfind("cannot load libleanops-missing.so.1, needed for a test (", 0), 0u);
    EXPECT_NE(message.find("); install the leanops-missing package"), std::string::npos);
  }
}

struct Counted {
  int value = 0;
};

TEST(SharedLibraryTest, LoadOnceLoadsOnceAndRepeatsAFailure) {
  int loads = 0;
  auto load = [&] {
    ++loads;
    return Counted{7};
  };
  EXPECT_EQ(LoadOnce<Counted>(load).value, 7);
  EXPECT_EQ(LoadOnce<Counted>(load).value, 7);
  EXPECT_EQ(loads, 1);
  struct Failing {};
  auto fail = []() -> Failing { ThrowIO("cannot load it"); };
  EXPECT_THROW(LoadOnce<Failing>(fail), Error);
  try {
    LoadOnce<Failing>(fail);
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "cannot load it");
  }
}

}  // namespace
}  // namespace leanops
