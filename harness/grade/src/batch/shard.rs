//! `grade batch --shard K/N`: one part of a class, for the engines courses
//! already run (a CI matrix, GitLab's `parallel:`, a Kubernetes Indexed
//! Job, a Slurm array). A submission belongs to shard
//! `fnv1a64(id of its first member) mod N + 1`: FNV-1a, 64 bits, over the
//! id's UTF-8 bytes — written here, not std's `DefaultHasher` (which may
//! change between Rust releases), so every machine and every grade version
//! puts a student in the same shard. `--shard auto` reads the engine's
//! variables.

use std::fmt;

/// Shard `k` of `n` (1-based, as nextest's `--partition hash:K/N`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Shard {
    pub k: usize,
    pub n: usize,
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

/// FNV-1a, 64 bits (the stable hash of the shard rule; also the
/// fingerprint of a batch's scenarios).
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

impl Shard {
    /// `K/N` with 1 ≤ K ≤ N.
    pub fn parse(s: &str) -> Result<Shard, String> {
        let bad = || format!("--shard {s}: expected K/N with 1 <= K <= N (e.g. 2/4), or auto");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let (k, n): (usize, usize) = (k.parse().map_err(|_| bad())?, n.parse().map_err(|_| bad())?);
        if k == 0 || n == 0 || k > n {
            return Err(bad());
        }
        Ok(Shard { k, n })
    }

    /// `--shard auto`: the shard the engine running grade says, from its
    /// variables (`get` reads one), in this order: GitLab's `parallel:`
    /// (`CI_NODE_INDEX`, 1-based, and `CI_NODE_TOTAL`); a Kubernetes
    /// Indexed Job (`JOB_COMPLETION_INDEX`, 0-based, and `GRADE_SHARD_TOTAL`,
    /// which its template sets: Kubernetes gives no total); a Slurm array
    /// (`SLURM_ARRAY_TASK_ID` from `SLURM_ARRAY_TASK_MIN`, and
    /// `SLURM_ARRAY_TASK_COUNT`). A GitHub matrix passes `--shard K/N`.
    pub fn auto(get: impl Fn(&str) -> Option<String>) -> Result<Shard, String> {
        let num = |name: &str| -> Result<Option<usize>, String> {
            match get(name).filter(|v| !v.is_empty()) {
                None => Ok(None),
                Some(v) => v
                    .trim()
                    .parse()
                    .map(Some)
                    .map_err(|_| format!("--shard auto: {name}={v} is not a number")),
            }
        };
        let shard = |k: usize, n: usize, from: &str| {
            Shard::parse(&format!("{k}/{n}"))
                .map_err(|_| format!("--shard auto: {from} gives shard {k} of {n}"))
        };
        if let (Some(k), Some(n)) = (num("CI_NODE_INDEX")?, num("CI_NODE_TOTAL")?) {
            return shard(k, n, "CI_NODE_INDEX/CI_NODE_TOTAL");
        }
        if let Some(i) = num("JOB_COMPLETION_INDEX")? {
            let n = num("GRADE_SHARD_TOTAL")?.ok_or(
                "--shard auto: JOB_COMPLETION_INDEX is set but not GRADE_SHARD_TOTAL (the Job's completions)",
            )?;
            return shard(i + 1, n, "JOB_COMPLETION_INDEX/GRADE_SHARD_TOTAL");
        }
        if let (Some(id), Some(count)) =
            (num("SLURM_ARRAY_TASK_ID")?, num("SLURM_ARRAY_TASK_COUNT")?)
        {
            let min = num("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
            let k = id
                .checked_sub(min)
                .ok_or("--shard auto: SLURM_ARRAY_TASK_ID below SLURM_ARRAY_TASK_MIN")?;
            return shard(k + 1, count, "SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT");
        }
        Err(
            "--shard auto: none of CI_NODE_INDEX, JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID is set"
                .into(),
        )
    }

    /// Whether the student of `id` is this shard's.
    pub fn holds(&self, id: &str) -> bool {
        (fnv1a64(id.as_bytes()) % self.n as u64) as usize + 1 == self.k
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_fnv1a_64() {
        // The reference values of FNV's authors.
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn every_student_is_in_exactly_one_shard() {
        for id in ["alice", "1001", "Zoé", ""] {
            let n = 3;
            let holders = (1..=n).filter(|&k| Shard { k, n }.holds(id)).count();
            assert_eq!(holders, 1, "{id}");
        }
    }

    #[test]
    fn parse_and_auto() {
        assert_eq!(Shard::parse("2/4"), Ok(Shard { k: 2, n: 4 }));
        for bad in ["0/4", "5/4", "x", "1/0", "1/"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        let gitlab = env(&[("CI_NODE_INDEX", "3"), ("CI_NODE_TOTAL", "4")]);
        assert_eq!(Shard::auto(gitlab), Ok(Shard { k: 3, n: 4 }));
        let k8s = env(&[("JOB_COMPLETION_INDEX", "0"), ("GRADE_SHARD_TOTAL", "5")]);
        assert_eq!(Shard::auto(k8s), Ok(Shard { k: 1, n: 5 }));
        let k8s = env(&[("JOB_COMPLETION_INDEX", "0")]);
        assert!(Shard::auto(k8s).unwrap_err().contains("GRADE_SHARD_TOTAL"));
        let slurm = env(&[
            ("SLURM_ARRAY_TASK_ID", "11"),
            ("SLURM_ARRAY_TASK_MIN", "10"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ]);
        assert_eq!(Shard::auto(slurm), Ok(Shard { k: 2, n: 4 }));
        assert!(Shard::auto(env(&[])).is_err());
    }
}
