#include "train/model.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <limits>

#include "core/error.h"
#include "train/linear_estimator.h"

namespace leanops::train {

TrainedModel::TrainedModel() = default;
TrainedModel::~TrainedModel() = default;
TrainedModel::TrainedModel(TrainedModel&&) noexcept = default;
TrainedModel& TrainedModel::operator=(TrainedModel&&) noexcept = default;

std::vector<InputColumn> TrainedModel::inputs() const {
  if (!bare) return features.inputs();
  std::vector<InputColumn> columns;
  for (const std::string& name : booster->FeatureNames())
    columns.push_back({name, table::ColumnType::kFloat64});
  return columns;
}

void TrainedModel::CheckSignature(const table::Table& table) const {
  std::vector<std::string> missing, mistyped;
  for (const InputColumn& input : inputs()) {
    const table::Column* column = table.Find(input.name);
    if (!column) {
      missing.push_back(input.name);
    } else if (bare) {
      if (column->type() != table::ColumnType::kFloat64 &&
          column->type() != table::ColumnType::kInt64 && column->type() != table::ColumnType::kBool)
        mistyped.push_back(fmt::format("'{}' is {}, not a number", input.name,
                                       table::ColumnTypeName(column->type())));
    } else if (column->type() != input.type) {
      mistyped.push_back(fmt::format("'{}' is {}, not {}", input.name,
                                     table::ColumnTypeName(column->type()),
                                     table::ColumnTypeName(input.type)));
    }
  }
  if (missing.empty() && mistyped.empty()) return;
  std::string message = "the data does not match the model's signature:";
  if (!missing.empty()) message += fmt::format(" missing column(s) {}", fmt::join(missing, ", "));
  if (!mistyped.empty())
    message += fmt::format("{} {}", missing.empty() ? "" : ";", fmt::join(mistyped, "; "));
  throw Error(ErrorKind::kData, message);
}

// A bare booster's features: its named columns (else the first columns in
// file order) as numbers; a null is NaN, which XGBoost treats as missing.
Matrix<float> TrainedModel::BareFeatures(const table::Table& table,
                                         std::span<const uint32_t> rows) const {
  std::vector<const table::Column*> columns;
  std::vector<std::string> names = booster->FeatureNames();
  if (names.empty()) {
    size_t needed = booster->num_features();
    if (table.num_columns() < needed)
      ThrowData("the model takes {} features; the data has {} columns", needed,
                table.num_columns());
    for (size_t i = 0; i < needed; ++i) columns.push_back(&table.column(i));
  } else {
    for (const std::string& name : names) columns.push_back(table.Find(name));
  }
  Matrix<float> m;
  m.rows = rows.empty() ? table.num_rows() : rows.size();
  m.cols = columns.size();
  m.values.resize(m.rows * m.cols);
  for (size_t c = 0; c < columns.size(); ++c) {
    const table::Column& column = *columns[c];
    table::ColumnType type = column.type();
    if (type != table::ColumnType::kInt64 && type != table::ColumnType::kFloat64 &&
        type != table::ColumnType::kBool)
      ThrowData("column '{}' is {}, not a number", column.name(), table::ColumnTypeName(type));
    for (size_t i = 0; i < m.rows; ++i)
      m.row(i)[c] = static_cast<float>(CellNumber(column, rows.empty() ? i : rows[i]));
  }
  return m;
}

Predictions TrainedModel::Predict(const table::Table& table, std::span<const uint32_t> rows,
                                  int jobs, double threshold) const {
  CheckSignature(table);
  size_t n = rows.empty() ? table.num_rows() : rows.size();
  std::vector<double> values;
  if (booster) {
    Matrix<float> x = bare ? BareFeatures(table, rows) : features.Apply<float>(table, rows, jobs);
    std::vector<float> out = booster->Predict(x, jobs);
    values.assign(out.begin(), out.end());
  } else {
    Matrix<double> x = features.Apply<double>(table, rows, jobs);
    values = linear->Predict(x);
  }
  Predictions p = FromOutputs(std::move(values), n, threshold);
  p.single_precision = booster.has_value();
  return p;
}

Predictions TrainedModel::FromOutputs(std::vector<double> values, size_t rows,
                                      double threshold) const {
  Predictions p;
  p.rows = rows;
  p.width = rows == 0 ? 1 : values.size() / rows;
  p.values = std::move(values);
  if (task == Task::kRegression) return p;
  p.labels.resize(rows);
  for (size_t r = 0; r < rows; ++r) {
    if (p.width == 1) {
      p.labels[r] = p.values[r] >= threshold ? 1 : 0;
    } else {
      const double* row = p.values.data() + r * p.width;
      p.labels[r] = static_cast<uint32_t>(std::max_element(row, row + p.width) - row);
    }
  }
  return p;
}

}  // namespace leanops::train
