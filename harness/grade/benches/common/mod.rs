//! What the benches share: grade's own peak memory, as it reports it.

/// The peak memory (KiB) grade printed on standard error at its exit
/// under `GRADE_PEAK_MEMORY=1` (`grade: peak memory N KiB (VmHWM)`).
pub fn peak_kib(stderr: &str) -> u64 {
    stderr
        .lines()
        .find_map(|l| l.strip_prefix("grade: peak memory "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("grade prints its peak memory")
}
