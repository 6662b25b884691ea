//! `grade batch DIR`: the real binary on small classes made of the gallery's
//! fixtures, in each layout an instructor gets (Moodle's download,
//! Gradescope's export, gh classroom clone, folders and archives): one row
//! per student, the right status and codes, cells made inert, archives
//! refused when hostile, each student's report written, the exit status.

use assert_cmd::Command;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

fn grade() -> Command {
    let mut c = Command::cargo_bin("grade").unwrap();
    c.env_remove("NO_COLOR");
    c
}

fn fixture(rel: &str) -> PathBuf {
    crate::refutil::fixtures_dir().join(rel)
}

/// Copies fixture `fx` to `dir/rel`, folders made.
fn put(dir: &Path, rel: &str, fx: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::copy(fixture(fx), p).unwrap();
}

fn write(dir: &Path, rel: &str, text: &[u8]) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// A zip at `path` holding `entries` (name, bytes), deflated.
fn zip(path: &Path, entries: &[(&str, &[u8])]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        z.start_file(*name, opts).unwrap();
        z.write_all(data).unwrap();
    }
    z.finish().unwrap();
}

/// A zip bomb: 80 MiB of zeros in a file of some 80 KiB (python3's zlib
/// makes it in a fraction of a second).
fn zip_bomb(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let script = "import sys, zipfile\n\
        with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:\n\
        \x20   with z.open('q1/serveur.py', 'w', force_zip64=True) as f:\n\
        \x20       block = bytes(1 << 20)\n\
        \x20       for _ in range(80): f.write(block)\n";
    let st = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(path)
        .status()
        .unwrap();
    assert!(st.success());
    assert!(std::fs::metadata(path).unwrap().len() < 1024 * 1024);
}

/// A tar.gz at `path` holding one file.
fn tar_gz(path: &Path, name: &str, data: &[u8]) {
    let gz = flate2::write::GzEncoder::new(
        std::fs::File::create(path).unwrap(),
        flate2::Compression::fast(),
    );
    let mut b = tar::Builder::new(gz);
    let mut h = tar::Header::new_gnu();
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    b.append_data(&mut h, name, data).unwrap();
    b.into_inner().unwrap().finish().unwrap();
}

/// The CSV gradebook as rows of named cells (a small RFC 4180 reader: the
/// test checks the quoting grade writes).
fn csv(text: &str) -> Vec<HashMap<String, String>> {
    let mut lines = Vec::new();
    let mut cells = Vec::new();
    let mut cell = String::new();
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => cells.push(std::mem::take(&mut cell)),
            ('\n', false) => {
                cells.push(std::mem::take(&mut cell));
                lines.push(std::mem::take(&mut cells));
            }
            _ => cell.push(c),
        }
    }
    let header = lines.remove(0);
    lines
        .into_iter()
        .map(|l| header.iter().cloned().zip(l).collect())
        .collect()
}

/// `grade batch ARGS`: exit status, standard output, standard error. No
/// cache unless ARGS name one (never the user's own).
fn batch(args: &[&std::ffi::OsStr]) -> (i32, String, String) {
    let mut cmd = grade();
    cmd.arg("batch").args(args);
    if !args.iter().any(|a| *a == "--cache") {
        cmd.arg("--no-cache");
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The score `grade --submission DIR -q q1` gives (the single run the
/// batch must agree with).
fn single_score(dir: &Path) -> f64 {
    let out = grade()
        .arg("--submission")
        .arg(dir)
        .args(["-q", "q1", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["score"].as_f64().unwrap()
}

const MOODLE: &str = "_assignsubmission_file_";

/// Twelve students of a Moodle download, q1: a correct one, mistakes, a
/// missing file, an ambiguous pair, a syntax error, a hostile program, a
/// name that is a formula, nested and top-level archives (one extracted, a
/// zip slip, a zip bomb, a corrupt one). Every row right, each score equal
/// to a single run's, each report written, nothing left running.
#[test]
fn a_moodle_class_gets_one_right_row_per_student() {
    let class = tempfile::tempdir().unwrap();
    let c = class.path();
    let s = |name: &str, n: u32| format!("{name}_{n}{MOODLE}");
    put(
        c,
        &format!("{}/tp/serveur.py", s("Ada Lovelace", 101)),
        "q1/framed_recv.py",
    );
    put(
        c,
        &format!("{}/server.py", s("Bob Smith", 102)),
        "q1/split_line.py",
    );
    put(
        c,
        &format!("{}/chat.py", s("Chloé Dupont", 103)),
        "q1/framed_recv.py",
    );
    write(
        c,
        &format!("{}/notes.txt", s("Chloé Dupont", 103)),
        b"todo\n",
    );
    put(
        c,
        &format!("{}/serveur.py", s("Dan Brown", 104)),
        "q1/framed_recv.py",
    );
    put(
        c,
        &format!("{}/server_v2.py", s("Dan Brown", 104)),
        "q1/split_line.py",
    );
    put(
        c,
        &format!("{}/serveur.py", s("Eve Adams", 105)),
        "q1/python2.py",
    );
    let formula = "=HYPERLINK(\"evil.example\",\"a, b\")";
    put(
        c,
        &format!("{}/serveur.py", s(formula, 106)),
        "q1/framed_recv.py",
    );
    put(
        c,
        &format!("{}/serveur.py", s("Mallory", 107)),
        "hostile/double_fork.py",
    );
    let framed = std::fs::read(fixture("q1/framed_recv.py")).unwrap();
    zip(
        &c.join(s("Zoe Zip", 108)).join("rendu.zip"),
        &[("rendu/q1/serveur.py", &framed)],
    );
    zip(
        &c.join(s("Sam Slip", 109)).join("slip.zip"),
        &[
            ("serveur.py", &framed),
            ("../../evil.py", b"print('out')\n"),
        ],
    );
    zip_bomb(&c.join(s("Bea Bomb", 110)).join("bomb.zip"));
    write(
        c,
        &format!("{}/work.zip", s("Carl Corrupt", 111)),
        b"PK\x03\x04 cut short",
    );
    let split = std::fs::read(fixture("q1/split_line.py")).unwrap();
    std::fs::create_dir(c.join(s("Tara Tar", 112))).unwrap();
    tar_gz(
        &c.join(s("Tara Tar", 112)).join("tp.tar.gz"),
        "tp/serveur.py",
        &split,
    );
    // Moodle's online text beside a file submission: not a student.
    write(
        c,
        "Ada Lovelace_101_assignsubmission_onlinetext_/onlinetext.html",
        b"<p>hi</p>",
    );

    let reports = tempfile::tempdir().unwrap();
    let (code, out, err) = batch(&[
        c.as_os_str(),
        "-q".as_ref(),
        "q1".as_ref(),
        "--report-dir".as_ref(),
        reports.path().as_os_str(),
    ]);
    assert_eq!(code, 0, "{err}\n{out}");
    let rows = csv(&out);
    assert_eq!(rows.len(), 12, "{out}");
    let by_id: HashMap<&str, &HashMap<String, String>> =
        rows.iter().map(|r| (r["id"].as_str(), r)).collect();
    let row = |n: u32| by_id[n.to_string().as_str()];
    let expect = |n: u32, status: &str, q1: &str, codes: &str| {
        let r = row(n);
        assert_eq!(
            (r["status"].as_str(), r["q1"].as_str(), r["codes"].as_str()),
            (status, q1, codes),
            "student {n}: {r:?}"
        );
        assert_eq!(r["max"], "9", "{r:?}");
        assert_eq!(r["identifier"], format!("Participant {n}"));
    };
    expect(101, "graded", "9", "");
    expect(102, "graded", "7", "split-line");
    expect(103, "incomplete", "", "missing-program");
    assert_eq!(
        row(103)["note"],
        "q1: no server program in the submission; found: chat.py, notes.txt"
    );
    expect(104, "incomplete", "", "ambiguous-program");
    assert!(
        row(104)["note"].contains("server_v2.py, serveur.py"),
        "{:?}",
        row(104)
    );
    expect(105, "graded", "0", "syntax-error");
    expect(106, "graded", "9", "");
    // A spreadsheet reads the name as text, not as a formula.
    assert_eq!(row(106)["student"], format!("'{formula}"));
    assert!(
        out.contains(&format!("\"'{}\"", formula.replace('"', "\"\""))),
        "{out}"
    );
    assert_eq!(row(107)["status"], "graded");
    assert_eq!(row(107)["total"], "0");
    expect(108, "graded", "9", "");
    expect(109, "refused", "", "");
    assert!(
        row(109)["note"].contains("../../evil.py would be written outside"),
        "{:?}",
        row(109)
    );
    expect(110, "refused", "", "");
    assert!(
        row(110)["note"].contains("more than 67108864 bytes"),
        "{:?}",
        row(110)
    );
    expect(111, "refused", "", "");
    assert!(row(111)["note"].starts_with("archive refused: it cannot be read"));
    expect(112, "graded", "7", "split-line");
    assert!(!c.parent().unwrap().join("evil.py").exists());
    assert!(
        err.contains("12 students: 7 graded, 2 incomplete, 0 errors, 3 refused"),
        "{err}"
    );
    // Each graded student's own report, named after them.
    for n in [101, 102, 103, 104, 105, 106, 107, 108, 112] {
        let r = row(n);
        assert_eq!(r["report"], format!("{n}.json"));
        let v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(reports.path().join(&r["report"])).unwrap())
                .unwrap();
        let total: f64 = r["total"].parse().unwrap_or(0.0);
        if !r["total"].is_empty() {
            assert_eq!(v["score"].as_f64(), Some(total), "{n}");
        }
    }
    // The same scores as one run of grade on each folder.
    for (n, name) in [
        (101, "Ada Lovelace"),
        (102, "Bob Smith"),
        (105, "Eve Adams"),
    ] {
        let total: f64 = row(n)["total"].parse().unwrap();
        assert_eq!(single_score(&c.join(s(name, n))), total, "{n}");
    }
    // The hostile program's escaped grandchild is gone with the batch.
    let left = crate::refutil::processes_with(&c.display().to_string());
    assert!(left.is_empty(), "{left:?}");
}

/// Gradescope's export (a group submission: one row per member) as JSON:
/// each row with the student's full report, and the summary.
#[test]
fn a_gradescope_export_gives_a_row_per_member_with_the_full_report() {
    let class = tempfile::tempdir().unwrap();
    let c = class.path();
    put(c, "submission_11/serveur.py", "q1/framed_recv.py");
    put(c, "submission_12/q1/server.py", "q1/split_line.py");
    let meta = "\
submission_11:
  :submitters:
  - :name: Ada Lovelace
    :sid: '1001'
    :email: ada@example.edu
  :created_at: 2024-03-01 10:00:00.000000000 -05:00
  :score: 0.0
submission_12:
  :submitters:
  - :name: Alan Turing
    :sid: '1002'
    :email: alan@example.edu
  - :name: Grace Hopper
    :sid: '1003'
    :email: grace@example.edu
";
    write(c, "submission_metadata.yml", meta.as_bytes());
    let out_dir = tempfile::tempdir().unwrap();
    let gradebook = out_dir.path().join("gradebook.json");
    let (code, out, err) = batch(&[
        c.as_os_str(),
        "-q".as_ref(),
        "q1".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
        "--output".as_ref(),
        gradebook.as_os_str(),
        "--jobs".as_ref(),
        "2".as_ref(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty(), "{out}");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&gradebook).unwrap()).unwrap();
    let students = v["students"].as_array().unwrap();
    let ids: Vec<&str> = students
        .iter()
        .map(|s| s["gradebook"]["student"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["1001", "1002", "1003"]);
    assert_eq!(students[0]["gradebook"]["student"]["name"], "Ada Lovelace");
    assert_eq!(students[0]["gradebook"]["total"], 9.0);
    assert_eq!(students[0]["report"]["score"], 9.0);
    for group in &students[1..] {
        assert_eq!(group["gradebook"]["scores"]["q1"], 7.0, "{group:#}");
        assert_eq!(group["report"]["max_score"], 9.0);
        let codes: Vec<&str> = group["report"]["scenarios"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|s| s["diagnosis"]["code"].as_str())
            .collect();
        assert!(codes.contains(&"split-line"), "{codes:?}");
    }
    assert_eq!(v["summary"]["students"], 3);
    assert_eq!(v["summary"]["graded"], 3);
    assert_eq!(v["summary"]["questions"], serde_json::json!({"q1": 9.0}));
}

/// `gh classroom clone`: one repository per student, the login after the
/// assignment's name; top-level archives are students too; `--layout`
/// finds programs the discovery rule cannot name.
#[test]
fn classroom_repositories_archives_and_a_layout_file() {
    let class = tempfile::tempdir().unwrap();
    let c = class.path();
    for login in ["alice", "bob-2"] {
        std::fs::create_dir_all(c.join(format!("chat-lab-{login}/.git"))).unwrap();
    }
    put(c, "chat-lab-alice/ex1.py", "q1/framed_recv.py");
    put(c, "chat-lab-bob-2/src/ex1.py", "q1/split_line.py");
    let layout = c.join("../layout.toml");
    std::fs::write(&layout, "[q1]\nserver = [\"ex1.py\", \"*/ex1.py\"]\n").unwrap();
    let (code, out, err) = batch(&[
        c.as_os_str(),
        "-q".as_ref(),
        "q1".as_ref(),
        "--layout".as_ref(),
        layout.as_os_str(),
    ]);
    assert_eq!(code, 0, "{err}");
    let rows = csv(&out);
    let got: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r["id"].as_str(), r["q1"].as_str()))
        .collect();
    assert_eq!(got, [("alice", "9"), ("bob-2", "7")]);
    // Without the layout, ex1.py names no role: missing.
    let (code, out, _) = batch(&[c.as_os_str(), "-q".as_ref(), "q1".as_ref()]);
    assert_eq!(code, 0);
    assert!(
        csv(&out).iter().all(|r| r["status"] == "incomplete"),
        "{out}"
    );
    // Plain folders and archives: each its own student.
    let plain = tempfile::tempdir().unwrap();
    let framed = std::fs::read(fixture("q1/framed_recv.py")).unwrap();
    zip(
        &plain.path().join("carol.zip"),
        &[("carol/serveur.py", &framed)],
    );
    put(plain.path(), "dave/serveur.py", "q1/split_line.py");
    let (code, out, err) = batch(&[plain.path().as_os_str(), "-q".as_ref(), "q1".as_ref()]);
    assert_eq!(code, 0, "{err}");
    let got: Vec<(String, String)> = csv(&out)
        .into_iter()
        .map(|r| (r["id"].clone(), r["total"].clone()))
        .collect();
    assert_eq!(
        got,
        [("carol".into(), "9".into()), ("dave".into(), "7".into())]
    );
}

/// Bad usage is exit 2 before grading; a fault of the grader on some
/// scenario is exit 3 with every row written, each saying why.
#[test]
fn exit_statuses_of_a_batch() {
    let missing = Path::new("/nonexistent/class");
    let (code, _, err) = batch(&[missing.as_os_str()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no such folder"), "{err}");
    let empty = tempfile::tempdir().unwrap();
    write(empty.path(), "readme.txt", b"x");
    let (code, _, err) = batch(&[empty.path().as_os_str()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no student's folder or archive"), "{err}");
    let layout = empty.path().join("layout.toml");
    std::fs::write(&layout, "[q5]\nserver = [\"x\"]\n").unwrap();
    let (code, _, err) = batch(&[
        empty.path().as_os_str(),
        "--layout".as_ref(),
        layout.as_os_str(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("`q5` is not a question"), "{err}");

    let class = tempfile::tempdir().unwrap();
    put(class.path(), "ada/serveur.py", "q1/framed_recv.py");
    put(class.path(), "bob/serveur.py", "q1/split_line.py");
    let out = grade()
        .env("GRADE_TEST_FAULT", "judge:q1.server.utf8")
        .args(["batch", "--no-cache"])
        .arg(class.path())
        .args(["-s", "q1.server.utf8", "-s", "q1.server.listens"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let rows = csv(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(rows.len(), 2);
    for r in &rows {
        assert_eq!(r["status"], "error", "{r:?}");
        assert_eq!(r["total"], "", "{r:?}");
        assert!(
            r["note"].starts_with(
                "not graded (grader error): 1 scenario not graded (error): q1.server.utf8"
            ),
            "{r:?}"
        );
    }
}

/// A class graded as N shard processes, then merged, gives the rows of the
/// unsharded run (sorted by id; scores and statuses equal); parts that are
/// not the shards of one grading are refused (exit 2).
#[test]
fn shards_merged_equal_the_unsharded_run() {
    let class = tempfile::tempdir().unwrap();
    let c = class.path();
    let fixtures = ["q1/framed_recv.py", "q1/split_line.py", "q1/python2.py"];
    for (k, name) in ["ana", "ben", "cleo", "dev", "ema", "fox"]
        .iter()
        .enumerate()
    {
        put(
            c,
            &format!("{name}/serveur.py"),
            fixtures[k % fixtures.len()],
        );
    }
    write(c, "gus/notes.txt", b"nothing\n");
    let scope = ["-s", "q1.server.listens", "-s", "q1.server.split-line"];
    let run = |extra: &[&str]| {
        let mut args: Vec<&std::ffi::OsStr> = vec![c.as_os_str()];
        args.extend(scope.iter().chain(extra).map(|a| std::ffi::OsStr::new(*a)));
        let (code, out, err) = batch(&args);
        assert_eq!(code, 0, "{err}");
        out
    };
    let whole = csv(&run(&[]));
    assert_eq!(whole.len(), 7);
    let parts = tempfile::tempdir().unwrap();
    let n = 3;
    let mut files = Vec::new();
    for k in 1..=n {
        let f = parts.path().join(format!("part{k}.json"));
        let shard = format!("{k}/{n}");
        let out = f.display().to_string();
        run(&["--shard", &shard, "--format", "json", "--output", &out]);
        files.push(f);
    }
    let merge = |files: &[&PathBuf], format: &str| {
        let out = grade()
            .args(["batch", "merge", "--format", format])
            .args(files)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let all: Vec<&PathBuf> = files.iter().collect();
    let (code, out, err) = merge(&all, "csv");
    assert_eq!(code, Some(0), "{err}");
    let merged = csv(&out);
    let key = |rows: &[HashMap<String, String>]| -> Vec<(String, String, String, String)> {
        rows.iter()
            .map(|r| {
                (
                    r["id"].clone(),
                    r["q1"].clone(),
                    r["total"].clone(),
                    r["status"].clone(),
                )
            })
            .collect()
    };
    assert_eq!(key(&merged), key(&whole));
    // Every student in exactly one shard.
    let sizes: usize = files
        .iter()
        .map(|f| {
            let v: serde_json::Value = serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap();
            v["students"].as_array().unwrap().len()
        })
        .sum();
    assert_eq!(sizes, 7);
    let (code, out, _) = merge(&all, "json");
    assert_eq!(code, Some(0));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["summary"]["students"], 7);
    assert_eq!(v["summary"]["shard"], serde_json::Value::Null);
    // Not the shards of one grading.
    let (code, _, err) = merge(&all[..2], "csv");
    assert_eq!(code, Some(2));
    assert!(err.contains("shards missing: 3/3"), "{err}");
    let (code, _, err) = merge(&[all[0], all[0], all[1], all[2]], "csv");
    assert_eq!(code, Some(2));
    assert!(err.contains("shard 1/3 appears twice"), "{err}");
    let other = parts.path().join("other.json");
    let out = other.display().to_string();
    run(&[
        "--shard",
        "1/3",
        "--format",
        "json",
        "--output",
        &out,
        "-s",
        "q1.server.utf8",
    ]);
    let (code, _, err) = merge(&[&other, all[1], all[2]], "csv");
    assert_eq!(code, Some(2));
    assert!(
        err.contains("not graded with the same scenarios and points"),
        "{err}"
    );
}

/// A re-run with the cache grades no one; a changed file regrades exactly
/// that student; `--force` regrades all; a row in `error` is never kept.
#[test]
fn the_cache_regrades_only_what_changed() {
    let class = tempfile::tempdir().unwrap();
    let c = class.path();
    put(c, "ana/serveur.py", "q1/framed_recv.py");
    put(c, "ben/serveur.py", "q1/split_line.py");
    put(c, "cleo/q1/server.py", "q1/framed_recv.py");
    let cache = tempfile::tempdir().unwrap();
    let reports = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| {
        let mut cmd = grade();
        cmd.arg("batch")
            .arg(c)
            .args([
                "-s",
                "q1.server.listens",
                "-s",
                "q1.server.split-line",
                "--cache",
            ])
            .arg(cache.path())
            .arg("--report-dir")
            .arg(reports.path())
            .args(extra);
        let out = cmd.output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, first, err) = run(&[]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("(0 from the cache)"), "{err}");
    std::fs::remove_dir_all(reports.path()).unwrap();
    let (_, again, err) = run(&[]);
    assert!(err.contains("(3 from the cache)"), "{err}");
    assert_eq!(again, first);
    // Each student's report is written from the cache too.
    assert!(reports.path().join("ben.json").is_file());
    let mut text = std::fs::read_to_string(c.join("ben/serveur.py")).unwrap();
    text.push_str("\n# late submission\n");
    std::fs::write(c.join("ben/serveur.py"), text).unwrap();
    let (_, after, err) = run(&[]);
    assert!(err.contains("(2 from the cache)"), "{err}");
    assert_eq!(after, first);
    let (_, _, err) = run(&["--force"]);
    assert!(err.contains("(0 from the cache)"), "{err}");
    // The grader's faults are not kept: graded again once it works.
    let fresh = tempfile::tempdir().unwrap();
    let faulty = grade()
        .env("GRADE_TEST_FAULT", "judge:q1.server.listens")
        .arg("batch")
        .arg(c)
        .args(["-s", "q1.server.listens", "--cache"])
        .arg(fresh.path())
        .output()
        .unwrap();
    assert_eq!(faulty.status.code(), Some(3));
    let out = grade()
        .arg("batch")
        .arg(c)
        .args(["-s", "q1.server.listens", "--cache"])
        .arg(fresh.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("(0 from the cache)"), "{err}");
}

/// The class report: the spread of totals, each scenario's pass rate, the
/// diagnoses with their students, links to each student's own page; names
/// escaped, and left out with `--anonymous`; laid out in headless Chromium
/// without overflow at a laptop's and a phone's width.
#[test]
fn the_class_report_in_chromium() {
    use crate::html::{facts_in, Chromium, MEASURE, WIDTHS};
    let class = tempfile::tempdir().unwrap();
    let c = class.path();
    put(c, "ana/serveur.py", "q1/framed_recv.py");
    put(c, "ben/serveur.py", "q1/split_line.py");
    put(c, "<b>cleo/serveur.py", "q1/split_line.py");
    write(c, "dan/notes.txt", b"x");
    let out = tempfile::tempdir().unwrap();
    let page_file = out.path().join("class.html");
    let run = |extra: &[&str]| {
        let (code, _, err) = batch(
            &[
                c.as_os_str(),
                "-s".as_ref(),
                "q1.server.listens".as_ref(),
                "-s".as_ref(),
                "q1.server.split-line".as_ref(),
                "--format".as_ref(),
                "html".as_ref(),
                "--output".as_ref(),
                page_file.as_os_str(),
                "--report-dir".as_ref(),
                out.path().join("reports").as_os_str(),
            ]
            .into_iter()
            .chain(extra.iter().map(std::ffi::OsStr::new))
            .collect::<Vec<_>>(),
        );
        assert_eq!(code, 0, "{err}");
        std::fs::read_to_string(&page_file).unwrap()
    };
    let page = run(&[]);
    assert!(page.contains("&lt;b&gt;cleo"), "{page}");
    assert!(!page.contains("<b>cleo"), "{page}");
    assert!(page.contains("split-line"));
    assert!(page.contains("2 students (50%)"), "{page}");
    assert!(page.contains("q1.server.listens"));
    assert!(page.contains("href=\"reports/ana.html\""), "{page}");
    assert!(out.path().join("reports/ana.html").is_file());
    let anonymous = run(&["--anonymous"]);
    for name in ["ana", "ben", "cleo", "dan"] {
        assert!(!anonymous.contains(name), "{name} in {anonymous}");
    }
    let Some(chromium) = Chromium::find() else {
        return;
    };
    let copy = out.path().join("measured.html");
    std::fs::write(&copy, page.replace("</body>", &format!("{MEASURE}</body>"))).unwrap();
    for width in WIDTHS {
        let facts = facts_in(&chromium.dom(&copy, width), "layout-facts");
        assert!(
            facts["page"].as_u64() <= facts["window"].as_u64(),
            "{width} px: a horizontal scrollbar: {facts}"
        );
        assert_eq!(
            facts["overflows"],
            serde_json::json!([]),
            "{width} px: {facts}"
        );
    }
}

/// Ctrl-C in the middle of a batch: the gradebook of the students done is
/// written (valid, the others `not-graded`), exit 130, nothing left running.
#[test]
fn ctrl_c_writes_a_partial_gradebook() {
    use std::io::BufRead;
    use std::os::unix::process::CommandExt;
    let class = tempfile::tempdir().unwrap();
    let c = class.path();
    for k in 0..4 {
        put(c, &format!("a{k}/serveur.py"), "q1/framed_recv.py");
        // Never listens: its scenario lasts until its deadline.
        write(
            c,
            &format!("b{k}/serveur.py"),
            b"import time\ntime.sleep(60)\n",
        );
    }
    let out = tempfile::tempdir().unwrap();
    let book = out.path().join("gradebook.csv");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("grade"))
        .arg("batch")
        .arg(c)
        .args([
            "-s",
            "q1.server.listens",
            "--jobs",
            "1",
            "--no-cache",
            "--output",
        ])
        .arg(&book)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap();
    let group = nix::unistd::Pid::from_raw(child.id() as i32);
    let (tx, rx) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    // The first wave (4 students a job) is done: the slow ones are running.
    let mut seen = Vec::new();
    while !seen.iter().any(|l: &String| l.starts_with("[4/8]")) {
        let line = rx
            .recv_timeout(crate::refutil::DEADLINE)
            .unwrap_or_else(|_| panic!("no [4/8] line: {seen:?}"));
        seen.push(line);
    }
    nix::sys::signal::killpg(group, nix::sys::signal::Signal::SIGINT).unwrap();
    let status = child.wait().unwrap();
    reader.join().unwrap();
    let rest: Vec<String> = rx.try_iter().collect();
    assert_eq!(status.code(), Some(130), "{seen:?} {rest:?}");
    assert!(
        rest.iter()
            .any(|l| l.contains("interrupted: 4 students not graded")),
        "{rest:?}"
    );
    let rows = csv(&std::fs::read_to_string(&book).unwrap());
    let got: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r["id"].as_str(), r["status"].as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("a0", "graded"),
            ("a1", "graded"),
            ("a2", "graded"),
            ("a3", "graded"),
            ("b0", "not-graded"),
            ("b1", "not-graded"),
            ("b2", "not-graded"),
            ("b3", "not-graded")
        ]
    );
    assert_eq!(rows[4]["note"], "not graded: the batch was interrupted");
    // The students' programs are killed with the batch. Ctrl-C during a
    // wave's preparation may leave Python's syntax check of a file (a
    // `python3 -c compile(…)` of a few milliseconds, outside the scenarios'
    // cgroups) to end on its own: waited for, never a 60-second sleeper.
    let marker = c.display().to_string();
    crate::refutil::wait_until("no program of the class runs", || {
        crate::refutil::processes_with(&marker).is_empty()
    });
}

/// Twelve students in Gradescope's export (folders and `submission_N.zip`
/// archives, a group of two) and twelve in a Classroom clone, each with
/// the mistake its row must say: two scenarios each, every row checked.
#[test]
fn twelve_students_in_the_gradescope_and_classroom_layouts() {
    let framed = std::fs::read(fixture("q1/framed_recv.py")).unwrap();
    let split = std::fs::read(fixture("q1/split_line.py")).unwrap();
    let py2 = std::fs::read(fixture("q1/python2.py")).unwrap();
    // (files, status, q1, code) for each kind of student.
    type Files<'a> = &'a [(&'a str, &'a [u8])];
    let kinds: [(Files, &str, &str, &str); 6] = [
        (&[("serveur.py", &framed)], "graded", "2", ""),
        (&[("tp/server.py", &split)], "graded", "1", "split-line"),
        (&[("chat.py", &framed)], "incomplete", "", "missing-program"),
        (
            &[("serveur.py", &framed), ("srv.py", &split)],
            "incomplete",
            "",
            "ambiguous-program",
        ),
        (&[("serveur.py", &py2)], "graded", "0", "syntax-error"),
        (&[("q1/serveur_q1.py", &framed)], "graded", "2", ""),
    ];
    let scope = ["-s", "q1.server.listens", "-s", "q1.server.split-line"];
    // Each student's id, with the kind of submission it is.
    let check = |dir: &Path, ids: &[(String, usize)]| {
        let mut args: Vec<&std::ffi::OsStr> = vec![dir.as_os_str()];
        args.extend(scope.iter().map(std::ffi::OsStr::new));
        let (code, out, err) = batch(&args);
        assert_eq!(code, 0, "{err}");
        let rows = csv(&out);
        let by_id: HashMap<&str, &HashMap<String, String>> =
            rows.iter().map(|r| (r["id"].as_str(), r)).collect();
        assert_eq!(rows.len(), ids.len(), "{out}");
        for (id, k) in ids {
            let (_, status, q1, codes) = kinds[k % kinds.len()];
            let r = by_id[id.as_str()];
            let got = (r["status"].as_str(), r["q1"].as_str(), r["codes"].as_str());
            assert_eq!(got, (status, q1, codes), "{id}: {r:?}");
        }
    };
    // Gradescope: odd submissions as folders, even ones as zips; the
    // last submission is a group of two (one row each, the same files).
    let gs = tempfile::tempdir().unwrap();
    let mut meta = String::new();
    let mut ids = Vec::new();
    for k in 0..11 {
        let key = format!("submission_{}", 500 + k);
        let (files, ..) = kinds[k % kinds.len()];
        if k % 2 == 0 {
            zip(&gs.path().join(format!("{key}.zip")), files);
        } else {
            for (name, data) in files {
                write(gs.path(), &format!("{key}/{name}"), data);
            }
        }
        let sid = format!("S{k:02}");
        meta.push_str(&format!(
            "{key}:\n  :submitters:\n  - :name: Student {k}\n    :sid: '{sid}'\n    :email: s{k}@example.edu\n"
        ));
        ids.push((sid, k));
        if k == 10 {
            meta.push_str("  - :name: Partner\n    :sid: 'S99'\n    :email: p@example.edu\n");
        }
    }
    write(gs.path(), "submission_metadata.yml", meta.as_bytes());
    // The partner shares submission 10's files, and its row.
    ids.push(("S99".into(), 10));
    check(gs.path(), &ids);
    // Classroom: twelve repositories.
    let clone = tempfile::tempdir().unwrap();
    // As `gh classroom clone student-repos` names it: logins that share a
    // prefix of their own are still told from the assignment's name.
    let cr = clone.path().join("chat-lab-submissions");
    let mut logins = Vec::new();
    for k in 0..12 {
        let login = format!("user-{k:02}");
        let repo = cr.join(format!("chat-lab-{login}"));
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        for (name, data) in kinds[k % kinds.len()].0 {
            write(&repo, name, data);
        }
        logins.push((login, k));
    }
    check(&cr, &logins);
}

/// A student's program that looks for the other students' files beside
/// its own folder reads none of them, and writes nothing in its own: the
/// class folder is hidden from every program, its own folder shown
/// read-only (the sandbox's filesystem view, where the machine has it).
#[test]
fn a_students_program_reads_no_other_students_files() {
    let layers = grade_sandbox::world::layers::Layers::probe(Vec::new(), Vec::new());
    if !crate::refutil::tools::require_that(
        layers.filesystem.is_some(),
        "mount namespaces for the sandbox's filesystem view",
        "a machine that allows them (root, or unprivileged user namespaces)",
    ) {
        return;
    }
    // Outside /tmp, which the sandbox hides anyway: the class folder
    // itself must be what hides the others.
    let class = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let c = class.path();
    put(c, "alice/q1/serveur.py", "hostile/peeks_at_others.py");
    put(c, "bob/q1/serveur.py", "q1/framed_recv.py");
    write(c, "bob/q1/notes.txt", b"bob's own notes\n");
    write(c, "carol/q1/serveur.py", b"print('carol')\n");
    let reports = tempfile::tempdir().unwrap();
    let before = std::fs::read_dir(c.join("alice/q1")).unwrap().count();
    let (code, out, err) = batch(&[
        c.as_os_str(),
        "-s".as_ref(),
        "q1.server.listens".as_ref(),
        "--report-dir".as_ref(),
        reports.path().as_os_str(),
    ]);
    assert_eq!(code, 0, "{err}\n{out}");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(reports.path().join("alice.json")).unwrap()).unwrap();
    let printed = crate::refutil::printed(&report, 0);
    for line in ["others read 0", "may not write beside itself"] {
        assert!(printed.iter().any(|l| l == line), "{line}: {printed:?}");
    }
    assert_eq!(
        std::fs::read_dir(c.join("alice/q1")).unwrap().count(),
        before
    );
    assert_eq!(report["scenarios"][0]["status"], "pass", "{report}");
}
