//! Loader rules, each stated as a small root and the outcome the loaders' source gives.

use super::{obj, Scenario, Summary};
use crate::report::{Mode, Verdict};

#[test]
fn scenario_smoke_example_from_the_module_doc() {
    let r = Scenario::glibc("2.36")
        .lib(
            "/usr/lib/libA.so.1",
            obj().soname("libA.so.1").defines(["a"]),
        )
        .program(
            "/t/app",
            obj()
                .needs(["libA.so.1", "libB.so.1"])
                .calls(["a", "b"])
                .data(["d"]),
        )
        .check("/t/app");
    assert_eq!(r.mode, Mode::Run);
    assert_eq!(
        r.problem_kinds(),
        [
            "missing-library libB.so.1 (first)",
            "undefined-symbol d",
            "undefined-symbol b (lazy)"
        ]
    );
    assert_eq!(r.verdict, Verdict::Fails);
}
