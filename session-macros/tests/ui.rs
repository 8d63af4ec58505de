//! UI tests: every class of table error is a compile error at `FILE:LINE:COL`, and a
//! valid table expands to code that compiles and runs.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass_*.rs");
    t.compile_fail("tests/ui/[!p]*.rs");
}
