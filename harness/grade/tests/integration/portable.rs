//! The portable release binary (`./dist.sh`, README "Portable binary"):
//! built with cargo-zigbuild against glibc 2.17, it must need no newer
//! GLIBC symbol version, say its version, and grade the reference programs.
//! Without zig and cargo-zigbuild those checks skip (`.ci/run` installs
//! them: CI does not skip); `--version` and the release workflow's template
//! are checked on the ordinary build.

use crate::refutil::tools;
use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const NAME: &str = "grade-x86_64-linux-gnu";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `dist/grade-x86_64-linux-gnu`, built (or brought up to date: cargo
/// rebuilds only what changed) once per test run; `None` when the tools are
/// absent outside CI.
fn portable() -> Option<&'static Path> {
    static BUILT: OnceLock<Option<PathBuf>> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let zig = tools::on_path("zig").is_some()
                || std::process::Command::new("python3")
                    .args(["-c", "import ziglang"])
                    .status()
                    .is_ok_and(|s| s.success());
            let zigbuild = tools::on_path("cargo-zigbuild").is_some();
            if !tools::require_that(
                zig && zigbuild,
                "zig or cargo-zigbuild",
                "ziglang (pip) and cargo-zigbuild",
            ) {
                return None;
            }
            let out = std::process::Command::new(workspace().join("dist.sh"))
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "./dist.sh failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            Some(workspace().join("dist").join(NAME))
        })
        .as_deref()
}

/// The version names an ELF file needs (`.gnu.version_r`: GLIBC_2.17…),
/// read from a little-endian ELF64 file.
fn version_needs(elf: &[u8]) -> Vec<String> {
    const SHT_GNU_VERNEED: u32 = 0x6fff_fffe;
    let u16_at = |o: usize| u16::from_le_bytes(elf[o..o + 2].try_into().unwrap()) as usize;
    let u32_at = |o: usize| u32::from_le_bytes(elf[o..o + 4].try_into().unwrap()) as usize;
    let u64_at = |o: usize| u64::from_le_bytes(elf[o..o + 8].try_into().unwrap()) as usize;
    assert_eq!(&elf[..6], b"\x7fELF\x02\x01", "a little-endian ELF64 file");
    let (shoff, shentsize, shnum) = (u64_at(0x28), u16_at(0x3a), u16_at(0x3c));
    let section = |i: usize| shoff + i * shentsize;
    let mut names = Vec::new();
    for s in (0..shnum).map(section) {
        if u32_at(s + 4) != SHT_GNU_VERNEED as usize {
            continue;
        }
        let (offset, count) = (u64_at(s + 24), u32_at(s + 44));
        let strings = u64_at(section(u32_at(s + 40)) + 24);
        let string = |o: usize| {
            let bytes = &elf[strings + o..];
            let end = bytes.iter().position(|&b| b == 0).unwrap();
            String::from_utf8_lossy(&bytes[..end]).into_owned()
        };
        let mut need = offset;
        for _ in 0..count {
            let mut aux = need + u32_at(need + 8);
            for _ in 0..u16_at(need + 2) {
                names.push(string(u32_at(aux + 8)));
                aux += u32_at(aux + 12);
            }
            need += u32_at(need + 12);
        }
    }
    names
}

/// The highest `GLIBC_x.y[.z]` among `names`, as numbers.
fn highest_glibc(names: &[String]) -> Option<Vec<u32>> {
    names
        .iter()
        .filter_map(|n| n.strip_prefix("GLIBC_"))
        .filter_map(|v| v.split('.').map(|p| p.parse().ok()).collect())
        .max()
}

#[test]
fn the_version_reader_reads_the_ordinary_build() {
    let exe = assert_cmd::cargo::cargo_bin("grade");
    let names = version_needs(&std::fs::read(&exe).unwrap());
    assert!(names.iter().any(|n| n == "GLIBC_2.2.5"), "{names:?}");
    assert!(highest_glibc(&names) >= Some(vec![2, 2, 5]));
    // Where binutils is installed, objdump agrees (it is not required).
    let Some(objdump) = tools::on_path("objdump") else {
        return;
    };
    let out = std::process::Command::new(objdump)
        .arg("-T")
        .arg(&exe)
        .output()
        .unwrap();
    let glibc = |words: Vec<String>| -> std::collections::BTreeSet<String> {
        words
            .into_iter()
            .filter(|w| w.starts_with("GLIBC_"))
            .collect()
    };
    let listed = String::from_utf8_lossy(&out.stdout)
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .map(String::from)
        .collect();
    assert_eq!(glibc(names), glibc(listed));
}

#[test]
fn the_portable_binary_needs_glibc_2_17_at_most() {
    let Some(exe) = portable() else { return };
    let names = version_needs(&std::fs::read(exe).unwrap());
    let highest = highest_glibc(&names).expect("some GLIBC version");
    assert!(highest <= vec![2, 17], "needs GLIBC_{highest:?}: {names:?}");
    Command::new("sha256sum")
        .arg("-c")
        .arg(format!("{NAME}.sha256"))
        .current_dir(exe.parent().unwrap())
        .assert()
        .success()
        .stdout(format!("{NAME}: OK\n"));
}

#[test]
fn the_portable_binary_grades_the_reference_programs() {
    let Some(exe) = portable() else { return };
    Command::new(exe)
        .arg("--version")
        .assert()
        .success()
        .stdout(format!("grade {}\n", env!("CARGO_PKG_VERSION")));
    let out = Command::new(exe)
        .args(["--reference", "-q", "q1", "-q", "q2", "--format", "json"])
        .env_remove("NO_COLOR")
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    crate::refutil::all_passed(&out);
}

#[test]
fn grade_version_prints_the_package_version() {
    Command::cargo_bin("grade")
        .unwrap()
        .arg("--version")
        .assert()
        .success()
        .stdout(format!("grade {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn the_release_workflow_is_written_for_github_only() {
    let dir = tempfile::tempdir().unwrap();
    Command::cargo_bin("grade")
        .unwrap()
        .args(["ci", "github", "--release-workflow", "--dir"])
        .arg(dir.path())
        .assert()
        .success()
        .stderr("");
    let written =
        std::fs::read_to_string(dir.path().join(".github/workflows/release.yml")).unwrap();
    assert!(written.contains("run: ./dist.sh"), "{written}");
    assert!(written.contains(&format!("dist/{NAME} dist/{NAME}.sha256")));
    assert!(!dir.path().join(".github/workflows/grade.yml").exists());
    Command::cargo_bin("grade")
        .unwrap()
        .args(["ci", "gitlab", "--release-workflow"])
        .assert()
        .code(2);
}
