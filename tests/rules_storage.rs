//! The storage rules of the guide (STO…): one snapshot per rule on its fixture in
//! tests/fixtures/rules, then what a snapshot cannot say: spellings, fixes that see each other,
//! system files, shares and placeholders (issue 10), typed values.

mod common;
use common::*;
use test_case::test_case;

#[test_case("STO001")]
#[test_case("STO002")]
#[test_case("STO003")]
#[test_case("STO004")]
#[test_case("STO005")]
#[test_case("STO006")]
#[test_case("STO007")]
#[test_case("STO008")]
#[test_case("STO009")]
fn rule(id: &str) {
    insta::assert_json_snapshot!(id, rule_snapshot(id, None));
}
