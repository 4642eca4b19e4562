//! Properties of the metric bounds and the denied-version ranges, over
//! every value (NaN, infinities, signed zeros) and every range.

use super::*;
use crate::documents::mlbom::Metric;
use proptest::prelude::*;

fn provenance(test_rows: u64) -> Statement {
    serde_json::from_value(serde_json::json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {
            "buildDefinition": {
                "buildType": "https://example.com/t",
                "externalParameters": {},
                "resolvedDependencies": [{
                    "name": "dataset:d.csv",
                    "digest": {"sha256": "00"},
                    "annotations": {
                        "recordRoots": {"test": {"records": test_rows, "root": "00"}},
                        "size": 1
                    }
                }]
            },
            "runDetails": {"builder": {"id": "https://example.com/b"}}
        }
    }))
    .unwrap()
}

fn judged(value: &str, min: Option<f64>, max: Option<f64>, rows: u64, min_rows: u64) -> bool {
    let bom = MlBom {
        metrics: vec![Metric {
            kind: "accuracy".into(),
            slice: "test".into(),
            value: value.into(),
        }],
        ..MlBom::default()
    };
    let rules = ReleasePolicy {
        version: POLICY_VERSION,
        metrics: vec![MetricRule {
            name: "accuracy".into(),
            slice: "test".into(),
            min,
            max,
            min_rows,
        }],
        ..ReleasePolicy::default()
    };
    rules
        .validate()
        .unwrap()
        .check(None, &provenance(rows), &bom, &mut Checks::default())
        .is_ok()
}

fn any_value() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(-0.0),
        Just(0.0),
        any::<f64>(),
        -2.0..2.0f64,
    ]
}

proptest! {
    #[test]
    fn a_metric_passes_only_when_finite_and_within_its_bounds(
        v in any_value(),
        lo in -1.0..1.0f64,
        width in 0.0..2.0f64,
        use_min: bool,
        use_max: bool,
    ) {
        let hi = lo + width;
        let (min, max) = match (use_min, use_max) {
            (false, false) => (Some(lo), None),
            (m, x) => (m.then_some(lo), x.then_some(hi)),
        };
        let want = v.is_finite()
            && min.is_none_or(|lo| v >= lo)
            && max.is_none_or(|hi| v <= hi);
        prop_assert_eq!(judged(&v.to_string(), min, max, 100, 1), want);
    }

    #[test]
    fn too_few_rows_fail_whatever_the_value(rows in 0u64..50, min_rows in 1u64..50) {
        prop_assert_eq!(judged("0.5", Some(0.0), None, rows, min_rows), rows >= min_rows);
    }

    #[test]
    fn non_finite_bounds_are_refused(bad in prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(f64::NEG_INFINITY)], as_min: bool) {
        let rule = MetricRule {
            name: "accuracy".into(),
            slice: "test".into(),
            min: as_min.then_some(bad),
            max: (!as_min).then_some(bad),
            min_rows: 1,
        };
        let rules = ReleasePolicy { version: POLICY_VERSION, metrics: vec![rule], ..ReleasePolicy::default() };
        prop_assert!(rules.validate().is_err());
    }

    #[test]
    fn a_deny_range_holds_what_cargo_holds_and_pre_releases_of_it(
        major in 0u64..3, minor in 0u64..4, patch in 0u64..4,
        pre in prop_oneof![Just(""), Just("rc.1"), Just("alpha"), Just("0")],
        op in prop_oneof![Just(">="), Just(">"), Just("<"), Just("<="), Just("="), Just("^"), Just("~")],
        rmajor in 0u64..3, rminor in 0u64..4, rpatch in 0u64..4,
    ) {
        let text = if pre.is_empty() { format!("{major}.{minor}.{patch}") } else { format!("{major}.{minor}.{patch}-{pre}") };
        let v = semver::Version::parse(&text).unwrap();
        let req = semver::VersionReq::parse(&format!("{op}{rmajor}.{rminor}.{rpatch}")).unwrap();
        let release = semver::Version::new(major, minor, patch);
        // Never weaker than Cargo's own matching.
        if req.matches(&v) { prop_assert!(version_in(&req, &v)); }
        // A release: exactly Cargo's matching.
        if pre.is_empty() { prop_assert_eq!(version_in(&req, &v), req.matches(&v)); }
        // A pre-release of a denied release is denied.
        if req.matches(&release) { prop_assert!(version_in(&req, &v)); }
    }
}
