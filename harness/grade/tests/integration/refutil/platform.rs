//! The platforms' files as their platforms read and run them, for the
//! tests of `grade ci`: a workflow parsed by PyYAML, a grading script run
//! with bash.

use super::tools;
use serde_json::Value;
use std::path::Path;

/// A workflow file as JSON, parsed by PyYAML (`yaml.safe_load`), or `None`
/// where PyYAML is absent (see `tools`).
pub fn yaml_as_json(file: &Path) -> Option<Value> {
    let script = "import json, sys, yaml\nprint(json.dumps(yaml.safe_load(open(sys.argv[1]))))";
    let has_yaml = std::process::Command::new("python3")
        .args(["-c", "import yaml"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !tools::require_that(has_yaml, "PyYAML", "pyyaml (python3 -m pip install pyyaml)") {
        return None;
    }
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}: not YAML: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

/// A platform's grading script run with bash (`env` moving its paths): it
/// exits 0, and `results` is the JSON it wrote.
pub fn run_grader(script: &Path, env: &[(&str, &Path)], results: &Path) -> Value {
    let mut cmd = std::process::Command::new("bash");
    cmd.arg(script).env_remove("GITHUB_ACTIONS");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(&std::fs::read_to_string(results).unwrap()).unwrap()
}
