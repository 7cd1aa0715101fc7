// churn-gen: writes a synthetic, deterministic customer-churn CSV for leanops examples and tests.
//
// Determinism is the main design constraint: the same (rows, seed, drift) must produce
// byte-identical output on every platform and compiler. Therefore:
//   * no std::*_distribution (their algorithms are implementation-defined),
//   * no libm transcendental functions (glibc, musl, Apple and MSVC round differently); only
//     +, -, *, / and sqrt, which IEEE 754 requires to be correctly rounded, and the exact
//     floor, frexp and ldexp are used,
//   * money is rounded to integer cents before formatting, so no float printing is involved,
//   * every row draws from its own generator seeded by (seed, row index), so a row does not
//     depend on how many rows precede it and a prefix of a large file equals a smaller file.

// Fused multiply-add would change the rounding of intermediate results. GCC does not contract
// in ISO mode (-std=c++20), clang contracts by default unless told not to.
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace {

constexpr int kExitUsage = 2;
constexpr int kExitIo = 4;
constexpr std::uint64_t kMaxRows = 1'000'000'000;
constexpr std::uint64_t kDefaultSeed = 42;

constexpr char kHeader[] =
    "customer_id,signup_date,last_active_date,plan,region,tenure_months,monthly_charges,"
    "total_charges,support_calls,age,contract,paperless_billing,churned\n";

constexpr char kUsage[] =
    "Usage: churn-gen --rows N [--seed S] [--drift] [--out FILE]\n"
    "\n"
    "Writes a deterministic synthetic customer-churn CSV.\n"
    "\n"
    "Options:\n"
    "  --rows N     number of data rows (1 to 1000000000), required\n"
    "  --seed S     unsigned 64-bit seed (default 42)\n"
    "  --drift      shift feature distributions to imitate production drift\n"
    "  --out FILE   write FILE atomically (FILE.tmp, fsync, rename); default stdout\n"
    "  --help       show this help\n"
    "\n"
    "Exit codes: 0 success, 2 bad usage, 4 I/O error.\n";

// ---------------------------------------------------------------------------------------------
// Random numbers

constexpr std::uint64_t kGolden = 0x9E3779B97F4A7C15ULL;

constexpr std::uint64_t Mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// splitmix64. One instance per row; the state is derived from (seed, row) by hashing so that
// neighbouring rows and neighbouring seeds give unrelated streams.
class Rng {
 public:
  Rng(std::uint64_t seed, std::uint64_t row) : state_(Mix64(seed ^ Mix64((row + 1) * kGolden))) {}

  std::uint64_t Next() {
    state_ += kGolden;
    return Mix64(state_);
  }

  // Uniform in [0, 1) with 53 random bits.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

  // Uniform in (0, 1]; safe as an argument to Log.
  double UniformPositive() { return static_cast<double>((Next() >> 11) + 1) * 0x1.0p-53; }

  bool Bernoulli(double p) { return Uniform() < p; }

  // Standard normal via the Marsaglia polar method, which avoids sin/cos. Each accepted pair
  // yields two independent normals; the second is kept for the next call to halve the Log calls.
  double Normal() {
    if (has_spare_normal_) {
      has_spare_normal_ = false;
      return spare_normal_;
    }
    for (;;) {
      double u = 2.0 * Uniform() - 1.0;
      double v = 2.0 * Uniform() - 1.0;
      double s = u * u + v * v;
      if (s > 0.0 && s < 1.0) {
        double scale = std::sqrt(-2.0 * Log(s) / s);
        spare_normal_ = v * scale;
        has_spare_normal_ = true;
        return u * scale;
      }
    }
  }

  double Normal(double mean, double stddev) { return mean + stddev * Normal(); }

  // Exponential with the given mean.
  double Exponential(double mean) { return -mean * Log(UniformPositive()); }

  // Poisson by Knuth's multiplication method, fine for the small lambdas used here.
  int Poisson(double lambda, int max_value) {
    double limit = Exp(-lambda);
    double product = Uniform();
    int k = 0;
    while (product > limit && k < max_value) {
      product *= Uniform();
      ++k;
    }
    return k;
  }

  // Index into a table of cumulative probabilities (last entry must be 1.0).
  template <std::size_t N>
  int Pick(const std::array<double, N>& cumulative) {
    double u = Uniform();
    for (std::size_t i = 0; i + 1 < N; ++i) {
      if (u < cumulative[i]) return static_cast<int>(i);
    }
    return static_cast<int>(N - 1);
  }

  // Natural logarithm from basic arithmetic only (see the file comment). x must be positive and
  // finite. Accurate to a few ulp, which is ample: determinism matters here, not precision.
  static double Log(double x) {
    int exponent = 0;
    double m = std::frexp(x, &exponent);  // Exact: x = m * 2^exponent, m in [0.5, 1).
    if (m < 0.70710678118654752) {
      m *= 2.0;
      --exponent;
    }
    // log(m) = 2 atanh(s) with s = (m - 1) / (m + 1), |s| < 0.172; the series in s^2 is summed
    // by Horner's rule with compile-time reciprocals (division is slow in the hot path).
    double s = (m - 1.0) / (m + 1.0);
    double s2 = s * s;
    double sum = kOddReciprocals[11];
    for (int k = 21; k >= 1; k -= 2) sum = sum * s2 + kOddReciprocals[k / 2];
    sum *= s;
    return 2.0 * sum + exponent * 0.69314718055994531;
  }

  // Exponential function from basic arithmetic only. Arguments are clamped to a range that
  // cannot overflow; callers only need moderate magnitudes.
  static double Exp(double x) {
    if (x > 700.0) x = 700.0;
    if (x < -700.0) x = -700.0;
    constexpr double kLn2 = 0.69314718055994531;
    constexpr double kInvLn2 = 1.4426950408889634;
    double k = std::floor(x * kInvLn2 + 0.5);  // floor is exact.
    double r = x - k * kLn2;                   // |r| <= ~0.35
    double sum = kInverseFactorials[kExpTerms - 1];
    for (int i = kExpTerms - 2; i >= 0; --i) sum = sum * r + kInverseFactorials[i];
    return std::ldexp(sum, static_cast<int>(k));  // ldexp is exact.
  }

 private:
  static constexpr std::array<double, 12> kOddReciprocals = [] {
    std::array<double, 12> a{};
    for (int i = 0; i < 12; ++i) a[i] = 1.0 / (2 * i + 1);
    return a;
  }();

  static constexpr int kExpTerms = 17;
  static constexpr std::array<double, kExpTerms> kInverseFactorials = [] {
    std::array<double, kExpTerms> a{};
    double f = 1.0;
    for (int i = 0; i < kExpTerms; ++i) {
      if (i > 0) f *= i;
      a[i] = 1.0 / f;
    }
    return a;
  }();

  std::uint64_t state_;
  double spare_normal_ = 0.0;
  bool has_spare_normal_ = false;
};

double Sigmoid(double z) { return 1.0 / (1.0 + Rng::Exp(-z)); }

double Clamp(double x, double lo, double hi) { return x < lo ? lo : (x > hi ? hi : x); }

// Rounds to integer cents, half away from zero. floor is exact, so this is portable.
std::int64_t ToCents(double amount) {
  double cents = amount * 100.0;
  return static_cast<std::int64_t>(cents >= 0 ? std::floor(cents + 0.5)
                                              : -std::floor(-cents + 0.5));
}

// ---------------------------------------------------------------------------------------------
// Calendar (proleptic Gregorian, days since 1970-01-01; Howard Hinnant's algorithms)

struct Date {
  int year;
  int month;
  int day;
};

constexpr int DaysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

constexpr Date CivilFromDays(int z) {
  z += 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const int doe = z - era * 146097;
  const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int mp = (5 * doy + 2) / 153;
  const int d = doy - (153 * mp + 2) / 5 + 1;
  const int m = mp < 10 ? mp + 3 : mp - 9;
  return Date{yoe + era * 400 + (m <= 2), m, d};
}

constexpr int kFirstSignupDay = DaysFromCivil(2018, 1, 1);
constexpr int kLastDataDay = DaysFromCivil(2024, 12, 31);
constexpr Date kReference{2025, 1, 1};

// Whole months from the signup date to the reference date 2025-01-01.
int TenureMonths(const Date& signup) {
  int months = (kReference.year - signup.year) * 12 + (kReference.month - signup.month);
  if (signup.day > kReference.day) --months;
  return months;
}

// ---------------------------------------------------------------------------------------------
// Row model

enum Plan { kBasic, kStandard, kPremium, kEnterprise };
enum Contract { kMonthToMonth, kOneYear, kTwoYear };

constexpr std::array<std::string_view, 4> kPlanNames = {"basic", "standard", "premium",
                                                        "enterprise"};
constexpr std::array<std::string_view, 5> kRegionNames = {"north", "south", "east", "west",
                                                          "central"};
constexpr std::array<std::string_view, 3> kContractNames = {"month-to-month", "one-year",
                                                            "two-year"};

// Base price (mean, stddev) per plan.
constexpr std::array<double, 4> kPlanPriceMean = {29.0, 59.0, 89.0, 139.0};
constexpr std::array<double, 4> kPlanPriceStd = {5.0, 8.0, 10.0, 15.0};

struct Scenario {
  std::array<double, 4> plan_cdf;
  double price_factor;
  double support_lambda;
  double age_shift;
  double inactivity_mean_days;
  double p_missing_monthly;
  double p_missing_total;
  double churn_intercept;
};

constexpr Scenario kBaseline{
    .plan_cdf = {0.45, 0.75, 0.92, 1.0},
    .price_factor = 1.0,
    .support_lambda = 1.3,
    .age_shift = 0.0,
    .inactivity_mean_days = 20.0,
    .p_missing_monthly = 0.02,
    .p_missing_total = 0.01,
    .churn_intercept = -1.6,
};

// Production drift: a plan mix shifted toward basic, higher prices, more support load, older
// customers, less engagement, worse data quality and a higher underlying churn propensity.
constexpr Scenario kDrift{
    .plan_cdf = {0.50, 0.79, 0.93, 1.0},
    .price_factor = 1.15,
    .support_lambda = 2.2,
    .age_shift = 5.0,
    .inactivity_mean_days = 28.0,
    .p_missing_monthly = 0.05,
    .p_missing_total = 0.05,
    .churn_intercept = -1.5,
};

struct Row {
  std::uint64_t id;
  Date signup;
  Date last_active;
  int plan;
  int region;
  int tenure_months;
  std::optional<std::int64_t> monthly_cents;
  std::optional<std::int64_t> total_cents;
  int support_calls;
  int age;
  int contract;
  int paperless;
  int churned;
};

Row MakeRow(std::uint64_t seed, std::uint64_t index, const Scenario& sc) {
  // Draw order is fixed; changing it changes every generated file.
  Rng rng(seed, index);
  Row row{};
  row.id = index + 1;

  // Signups skew toward recent years (the customer base grows); u^0.75 leans to the late end.
  const int span = kLastDataDay - kFirstSignupDay + 1;
  double u = rng.Uniform();
  double skewed = std::sqrt(u) * std::sqrt(std::sqrt(u));
  int signup_day = kFirstSignupDay + static_cast<int>(skewed * span);
  if (signup_day > kLastDataDay) signup_day = kLastDataDay;
  row.signup = CivilFromDays(signup_day);
  row.tenure_months = TenureMonths(row.signup);

  // Days since the customer was last seen, measured back from the last data day.
  int inactive_days = static_cast<int>(rng.Exponential(sc.inactivity_mean_days));
  if (inactive_days > kLastDataDay - signup_day) inactive_days = kLastDataDay - signup_day;
  row.last_active = CivilFromDays(kLastDataDay - inactive_days);

  row.plan = rng.Pick(sc.plan_cdf);
  row.region = rng.Pick(std::array<double, 5>{0.22, 0.42, 0.62, 0.85, 1.0});

  // Larger plans are more often sold on long contracts.
  static constexpr std::array<std::array<double, 3>, 4> kContractCdf = {{
      {0.62, 0.85, 1.0},
      {0.55, 0.80, 1.0},
      {0.45, 0.72, 1.0},
      {0.25, 0.55, 1.0},
  }};
  row.contract = rng.Pick(kContractCdf[row.plan]);

  double age = Clamp(std::floor(rng.Normal(44.0 + sc.age_shift, 14.0)), 18.0, 90.0);
  row.age = static_cast<int>(age);
  row.paperless = rng.Bernoulli(Clamp(0.95 - 0.007 * age, 0.2, 0.9)) ? 1 : 0;

  double monthly = rng.Normal(kPlanPriceMean[row.plan], kPlanPriceStd[row.plan]);
  monthly = Clamp(monthly, 0.5 * kPlanPriceMean[row.plan], 2.0 * kPlanPriceMean[row.plan]);
  monthly *= sc.price_factor;
  double total = row.tenure_months * monthly * Clamp(rng.Normal(1.0, 0.05), 0.8, 1.2);

  // Basic-plan customers get less onboarding help and call support more often.
  double lambda = sc.support_lambda * (row.plan == kBasic ? 1.25 : 1.0);
  row.support_calls = rng.Poisson(lambda, 15);

  // Missingness is drawn independently of everything else (missing completely at random).
  bool monthly_missing = rng.Bernoulli(sc.p_missing_monthly);
  bool total_missing = rng.Bernoulli(sc.p_missing_total);
  if (!monthly_missing) row.monthly_cents = ToCents(monthly);
  if (!total_missing) row.total_cents = ToCents(total);

  // The label follows a logistic model of the true (never the blanked) feature values. The
  // Bernoulli draw and a latent per-customer effect keep the achievable ROC AUC near 0.85, so
  // the example is learnable without being trivial.
  static constexpr std::array<double, 3> kContractEffect = {1.2, -0.5, -1.7};
  static constexpr std::array<double, 5> kRegionEffect = {0.0, 0.15, -0.1, 0.05, -0.05};
  double z = sc.churn_intercept + kContractEffect[row.contract] - 0.045 * row.tenure_months +
             0.5 * row.support_calls + 0.02 * (monthly - 55.0) - 0.035 * (age - 45.0) +
             0.25 * row.paperless + 0.015 * inactive_days + kRegionEffect[row.region] +
             rng.Normal(0.0, 0.3);
  row.churned = rng.Bernoulli(Sigmoid(z)) ? 1 : 0;
  return row;
}

// ---------------------------------------------------------------------------------------------
// Output

// Accumulates output in a large buffer and writes it with write(2) so that the hot loop does no
// per-field library calls.
class Writer {
 public:
  explicit Writer(int fd) : fd_(fd) {}

  // Guarantees room for at least one full row without further checks.
  static constexpr std::size_t kRowReserve = 256;

  char* Reserve() {
    if (kBufferSize - used_ < kRowReserve) Flush();
    return buffer_ + used_;
  }
  void Commit(char* end) { used_ = static_cast<std::size_t>(end - buffer_); }

  void Append(std::string_view s) {
    if (kBufferSize - used_ < s.size()) Flush();
    std::memcpy(buffer_ + used_, s.data(), s.size());
    used_ += s.size();
  }

  // Returns false if any write failed (the errno is kept in error()); after a failure the
  // remaining data is discarded so that the caller can stop at its next check.
  bool Flush() {
    std::size_t done = 0;
    while (ok_ && done < used_) {
      ssize_t n = ::write(fd_, buffer_ + done, used_ - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        ok_ = false;
        error_ = errno;
      } else {
        done += static_cast<std::size_t>(n);
      }
    }
    used_ = 0;
    return ok_;
  }

  bool ok() const { return ok_; }
  int error() const { return error_; }

 private:
  static constexpr std::size_t kBufferSize = 1 << 20;
  int fd_;
  bool ok_ = true;
  int error_ = 0;
  std::size_t used_ = 0;
  char buffer_[kBufferSize];
};

char* PutString(char* p, std::string_view s) {
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

char* PutUint(char* p, std::uint64_t v) { return std::to_chars(p, p + 20, v).ptr; }

// Fixed-width zero-padded decimal.
char* PutPadded(char* p, std::uint64_t v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return p + width;
}

char* PutDate(char* p, const Date& d) {
  p = PutPadded(p, static_cast<std::uint64_t>(d.year), 4);
  *p++ = '-';
  p = PutPadded(p, static_cast<std::uint64_t>(d.month), 2);
  *p++ = '-';
  return PutPadded(p, static_cast<std::uint64_t>(d.day), 2);
}

char* PutCents(char* p, std::int64_t cents) {
  if (cents < 0) {
    *p++ = '-';
    cents = -cents;
  }
  p = PutUint(p, static_cast<std::uint64_t>(cents / 100));
  *p++ = '.';
  return PutPadded(p, static_cast<std::uint64_t>(cents % 100), 2);
}

char* PutRow(char* p, const Row& r) {
  *p++ = 'C';
  // Ids below 10,000,000 are padded to seven digits; larger ids simply grow wider.
  p = r.id < 10'000'000 ? PutPadded(p, r.id, 7) : PutUint(p, r.id);
  *p++ = ',';
  p = PutDate(p, r.signup);
  *p++ = ',';
  p = PutDate(p, r.last_active);
  *p++ = ',';
  p = PutString(p, kPlanNames[r.plan]);
  *p++ = ',';
  p = PutString(p, kRegionNames[r.region]);
  *p++ = ',';
  p = PutUint(p, static_cast<std::uint64_t>(r.tenure_months));
  *p++ = ',';
  if (r.monthly_cents) p = PutCents(p, *r.monthly_cents);
  *p++ = ',';
  if (r.total_cents) p = PutCents(p, *r.total_cents);
  *p++ = ',';
  p = PutUint(p, static_cast<std::uint64_t>(r.support_calls));
  *p++ = ',';
  p = PutUint(p, static_cast<std::uint64_t>(r.age));
  *p++ = ',';
  p = PutString(p, kContractNames[r.contract]);
  *p++ = ',';
  *p++ = static_cast<char>('0' + r.paperless);
  *p++ = ',';
  *p++ = static_cast<char>('0' + r.churned);
  *p++ = '\n';
  return p;
}

// ---------------------------------------------------------------------------------------------
// Command line

struct Options {
  std::uint64_t rows = 0;
  std::uint64_t seed = kDefaultSeed;
  bool drift = false;
  std::string out;
};

[[noreturn]] void Fail(int code, const std::string& message) {
  std::fprintf(stderr, "churn-gen: error: %s\n", message.c_str());
  std::exit(code);
}

[[noreturn]] void UsageError(const std::string& message) {
  Fail(kExitUsage, message + "; see --help");
}

std::uint64_t ParseUint(std::string_view flag, std::string_view text) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range) {
    UsageError("value for " + std::string(flag) + " is out of range: '" + std::string(text) + "'");
  }
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    UsageError("invalid value for " + std::string(flag) + ": '" + std::string(text) +
               "' (expected a non-negative integer)");
  }
  return value;
}

Options ParseArgs(int argc, char** argv) {
  Options opt;
  bool have_rows = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::string_view value;
    bool inline_value = false;
    if (arg.starts_with("--")) {
      if (auto eq = arg.find('='); eq != std::string_view::npos) {
        value = arg.substr(eq + 1);
        arg = arg.substr(0, eq);
        inline_value = true;
      }
    }
    auto take_value = [&]() -> std::string_view {
      if (inline_value) return value;
      if (i + 1 >= argc) UsageError("missing value for " + std::string(arg));
      return argv[++i];
    };
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (arg == "--rows") {
      opt.rows = ParseUint(arg, take_value());
      if (opt.rows < 1 || opt.rows > kMaxRows) {
        UsageError("--rows must be between 1 and " + std::to_string(kMaxRows));
      }
      have_rows = true;
    } else if (arg == "--seed") {
      opt.seed = ParseUint(arg, take_value());
    } else if (arg == "--drift" && !inline_value) {
      opt.drift = true;
    } else if (arg == "--out") {
      opt.out = std::string(take_value());
      if (opt.out.empty()) UsageError("--out needs a non-empty path");
    } else {
      UsageError("unknown argument '" + std::string(argv[i]) + "'");
    }
  }
  if (!have_rows) UsageError("--rows is required");
  return opt;
}

std::string Errno(int err) { return std::generic_category().message(err); }

// Makes the rename durable. Failure is not fatal: the data file itself is already synced and
// some filesystems do not support syncing directories.
void SyncParentDirectory(const std::string& path) {
  auto slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

int Generate(const Options& opt, Writer& writer) {
  const Scenario& scenario = opt.drift ? kDrift : kBaseline;
  writer.Append(kHeader);
  for (std::uint64_t i = 0; i < opt.rows && writer.ok(); ++i) {
    writer.Commit(PutRow(writer.Reserve(), MakeRow(opt.seed, i, scenario)));
  }
  return writer.Flush() ? 0 : writer.error();
}

}  // namespace

int main(int argc, char** argv) {
  Options opt = ParseArgs(argc, argv);

  // The writer holds a 1 MiB buffer; keep it off the stack.
  if (opt.out.empty()) {
    auto writer = std::make_unique<Writer>(STDOUT_FILENO);
    if (int err = Generate(opt, *writer); err != 0) {
      Fail(kExitIo, "cannot write to stdout: " + Errno(err));
    }
    return 0;
  }

  // Readers of --out never see a partial file: write a sibling temporary, sync it, then rename.
  const std::string tmp = opt.out + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) Fail(kExitIo, "cannot create '" + tmp + "': " + Errno(errno));
  auto fail_and_clean = [&](const std::string& what, int err) {
    ::unlink(tmp.c_str());
    Fail(kExitIo, what + ": " + Errno(err));
  };
  auto writer = std::make_unique<Writer>(fd);
  if (int err = Generate(opt, *writer); err != 0) {
    ::close(fd);
    fail_and_clean("cannot write '" + tmp + "'", err);
  }
  if (::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    fail_and_clean("cannot sync '" + tmp + "'", err);
  }
  if (::close(fd) != 0) fail_and_clean("cannot close '" + tmp + "'", errno);
  if (::rename(tmp.c_str(), opt.out.c_str()) != 0) {
    fail_and_clean("cannot rename '" + tmp + "' to '" + opt.out + "'", errno);
  }
  SyncParentDirectory(opt.out);
  return 0;
}
