//! The SGD rules (plain, momentum, Nesterov, weight decay, a clipping
//! scale) against PyTorch's documented algorithm, computed outside our code
//! by `scripts/sgd-reference.py` (NumPy, float32). Adam is held to
//! candle-nn's AdamW in `trainer/src/optim/rule.rs`.

use slsa_aibom_trainer::optim::rule::{Hyper, Rule};

/// Five steps of `rule` from a fixed start, ours and the reference's.
fn both(rule: Rule, lr: f64, grad_scale: f64) -> (Vec<f32>, Vec<f32>) {
    let n = 16;
    let theta0: Vec<f32> = (0..n).map(|i| (i as f32 * 0.37).sin()).collect();
    let grads: Vec<Vec<f32>> = (0..5)
        .map(|s| {
            (0..n)
                .map(|i| ((i * 7 + s * 3) as f32 * 0.21).cos())
                .collect()
        })
        .collect();
    let mut theta = theta0.clone();
    let mut state = vec![vec![0f32; n]; rule.slots()];
    for (s, g) in grads.iter().enumerate() {
        let h = Hyper {
            lr,
            step: s as u64 + 1,
            grad_scale,
        };
        let mut slots: Vec<&mut [f32]> = state.iter_mut().map(|b| b.as_mut_slice()).collect();
        rule.apply(&h, &mut theta, g, &mut slots);
    }
    let Rule::Sgd {
        momentum,
        nesterov,
        weight_decay,
    } = rule
    else {
        panic!("SGD only")
    };
    let case = serde_json::json!({
        "theta": theta0, "grads": grads, "lr": lr, "momentum": momentum,
        "nesterov": nesterov, "weight_decay": weight_decay, "grad_scale": grad_scale,
    });
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let python = root.join(".venv-peers/bin/python");
    assert!(
        python.is_file(),
        "the NumPy reference needs .venv-peers: run `bash scripts/peers.sh` (scripts/test.sh does); this check did NOT run"
    );
    let mut child = std::process::Command::new(python)
        .arg(root.join("scripts/sgd-reference.py"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), case.to_string().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    (theta, serde_json::from_slice(&out.stdout).unwrap())
}

#[test]
fn sgd_momentum_and_nesterov_follow_pytorchs_definition() {
    let rules = [
        (0.0, false, 0.0),
        (0.0, false, 0.01),
        (0.9, false, 0.0),
        (0.9, true, 0.0),
        (0.5, true, 0.05),
    ];
    for (momentum, nesterov, weight_decay) in rules {
        let rule = Rule::Sgd {
            momentum,
            nesterov,
            weight_decay,
        };
        for grad_scale in [1.0, 0.5] {
            let (ours, theirs) = both(rule, 0.1, grad_scale);
            for (a, b) in ours.iter().zip(&theirs) {
                assert!(
                    (a - b).abs() < 1e-5,
                    "{rule:?} scale {grad_scale}: ours {a}, PyTorch's definition {b}"
                );
            }
        }
    }
    // The reference tells the variants apart: a test that passes for all of
    // them would prove nothing.
    let plain = both(
        Rule::Sgd {
            momentum: 0.9,
            nesterov: false,
            weight_decay: 0.0,
        },
        0.1,
        1.0,
    )
    .1;
    let nesterov = both(
        Rule::Sgd {
            momentum: 0.9,
            nesterov: true,
            weight_decay: 0.0,
        },
        0.1,
        1.0,
    )
    .1;
    assert!(plain
        .iter()
        .zip(&nesterov)
        .any(|(a, b)| (a - b).abs() > 1e-3));
}
