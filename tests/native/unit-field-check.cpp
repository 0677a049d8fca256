// unit-field-check.cpp: the field check as the pure stage it is (field_check.h): a spec and a value
// in, an outcome and the stored text out, nothing else touched. The whole path through Ingest() is
// held by the vectors; these pin the stage's own contract.
#include <gtest/gtest.h>

#include <string>

#include "field_check.h"

namespace phonehome::field_check {
namespace {

using catalogue::Column;
using catalogue::FieldSpec;
using catalogue::Kind;

JsonScalar Text(std::string_view text) {
  JsonScalar value;
  value.type = JsonScalar::Type::String;
  value.text = text;
  return value;
}

JsonScalar Integer(int64_t number) {
  JsonScalar value;
  value.type = JsonScalar::Type::Integer;
  value.integer = number;
  return value;
}

FieldSpec Field(Kind kind) {
  FieldSpec field{};
  field.name = "f";
  field.kind = kind;
  field.column = Column::Properties;
  field.max_length = 16;
  field.min = 0;
  field.max = 100;
  return field;
}

struct Checking {
  Checked checked;
  std::string out = "prefix:";
  Buffers buffers;
};

Checking CheckOne(const FieldSpec& field, const JsonScalar& value, Place place = {}) {
  Checking run;
  run.checked = Check(field, field.kind, value, place, run.buffers, run.out);
  return run;
}

TEST(FieldCheck, AStoredValueIsAppendedAfterWhatTheCallerWrote) {
  const Checking run = CheckOne(Field(Kind::Integer), Integer(42));
  EXPECT_EQ(run.checked.outcome, Outcome::Stored);
  EXPECT_EQ(run.out, "prefix:42");
}

TEST(FieldCheck, ARefusalLeavesTheOutputAloneAndSaysWhy) {
  const Checking run = CheckOne(Field(Kind::Integer), Integer(101));
  EXPECT_EQ(run.checked.outcome, Outcome::Rejected);
  EXPECT_EQ(run.checked.code, Status::out_of_range);
  EXPECT_EQ(run.buffers.message, "must be between 0 and 100");
  EXPECT_EQ(run.out, "prefix:");
}

TEST(FieldCheck, WrongTypesNameWhatTheKindExpects) {
  const Checking run = CheckOne(Field(Kind::Integer), Text("7"));
  EXPECT_EQ(run.checked.code, Status::wrong_type);
  EXPECT_EQ(run.buffers.message, "must be a whole number");
}

TEST(FieldCheck, NullAndEmptyAreAbsentUnlessARequiredFieldIsEmpty) {
  EXPECT_EQ(CheckOne(Field(Kind::String), JsonScalar()).checked.outcome, Outcome::Absent);
  EXPECT_EQ(CheckOne(Field(Kind::String), Text("  ")).checked.outcome, Outcome::Absent);
  FieldSpec required = Field(Kind::String);
  required.required = true;
  const Checking top = CheckOne(required, Text(" "));
  EXPECT_EQ(top.checked.code, Status::empty_value);
  // A list item or a map value is never "required": an empty one is only absent.
  EXPECT_EQ(CheckOne(required, Text(" "), {/*item=*/true, false}).checked.outcome, Outcome::Absent);
}

TEST(FieldCheck, QueryStringValuesAreReadAsTheirFieldsKind) {
  const Place text{false, /*values_are_text=*/true};
  EXPECT_EQ(CheckOne(Field(Kind::Integer), Text("42"), text).out, "prefix:42");
  EXPECT_EQ(CheckOne(Field(Kind::Bool), Text("true"), text).out, "prefix:true");
  EXPECT_EQ(CheckOne(Field(Kind::Integer), Text(""), text).checked.outcome, Outcome::Absent);
  EXPECT_EQ(CheckOne(Field(Kind::Integer), Text("4x"), text).checked.code, Status::wrong_type);
}

TEST(FieldCheck, AVersionComesBackCutAndWhole) {
  FieldSpec version = Field(Kind::Version);
  version.precision = 2;
  const Checking run = CheckOne(version, Text("v1.4.2"));
  EXPECT_EQ(run.checked.outcome, Outcome::Stored);
  EXPECT_EQ(run.out, "prefix:\"1.4\"");
  EXPECT_EQ(run.checked.uncut, "1.4.2");
}

TEST(FieldCheck, ATimestampComesBackAsItsTime) {
  const Checking run = CheckOne(Field(Kind::Timestamp), Text("2026-11-21T06:00:03Z"));
  EXPECT_TRUE(run.checked.has_time);
  EXPECT_EQ(run.checked.time_ms, 1795240803000);
  EXPECT_EQ(run.out, "prefix:1795240803000");
}

TEST(FieldCheck, AColumnStringIsRefusedWhereAPropertyIsScrubbed) {
  FieldSpec column = Field(Kind::String);
  column.column = Column::Os;
  column.max_length = 64;
  const std::string_view secret = "ghp_0123456789abcdefghijABCDEFGHIJ012345";
  EXPECT_EQ(CheckOne(column, Text(secret)).checked.code, Status::sensitive_value);
  FieldSpec property = Field(Kind::String);
  property.max_length = 64;
  const Checking scrubbed = CheckOne(property, Text(secret));
  EXPECT_EQ(scrubbed.checked.outcome, Outcome::Stored);
  EXPECT_EQ(scrubbed.out.find("ghp_0123"), std::string::npos) << scrubbed.out;
}

}  // namespace
}  // namespace phonehome::field_check
