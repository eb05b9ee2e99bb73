//! Names for cgroup ids: the path of each cgroup directory below the cgroup2
//! mount, so a reader can tell which container an event came from.

use std::collections::{HashMap, HashSet};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// Where the cgroup2 hierarchy is mounted (`/sys/fs/cgroup` on unified hosts,
/// `/sys/fs/cgroup/unified` on hybrid ones), from the recorder's mount table.
pub fn cgroup2_root() -> Option<PathBuf> {
    let text = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    // mountinfo: id parent major:minor root mountpoint options ... - fstype source options
    text.lines().find_map(|l| {
        let (left, right) = l.split_once(" - ")?;
        let mountpoint = left.split_whitespace().nth(4)?;
        (right.split_whitespace().next()? == "cgroup2").then(|| PathBuf::from(mountpoint))
    })
}

/// cgroup id (the inode number of its directory) to path, learned by walking
/// the hierarchy when an id is new. An id the walk after its first sighting
/// does not find is gone (ids are not reused) and is not looked for again, so
/// each id costs at most one walk.
pub struct CgroupNames {
    root: Option<PathBuf>,
    known: HashMap<u64, Vec<u8>>,
    missing: HashSet<u64>,
}

impl Default for CgroupNames {
    fn default() -> Self {
        CgroupNames::new(cgroup2_root())
    }
}

impl CgroupNames {
    /// Names below `root` (no names at all without a cgroup2 mount).
    pub fn new(root: Option<PathBuf>) -> Self {
        CgroupNames {
            root,
            known: HashMap::new(),
            missing: HashSet::new(),
        }
    }

    /// The path of cgroup `id` (`/` for the root), if it still existed when first asked about.
    pub fn path(&mut self, id: u64) -> Option<&[u8]> {
        if !self.known.contains_key(&id) && !self.missing.contains(&id) {
            self.walk();
            if !self.known.contains_key(&id) {
                self.missing.insert(id);
            }
        }
        self.known.get(&id).map(Vec::as_slice)
    }

    fn walk(&mut self) {
        let Some(root) = self.root.clone() else {
            return;
        };
        let mut stack = vec![root.clone()];
        while let Some(dir) = stack.pop() {
            let Ok(meta) = std::fs::metadata(&dir) else {
                continue;
            };
            let rel = dir.strip_prefix(&root).unwrap_or(Path::new(""));
            let mut name = b"/".to_vec();
            name.extend_from_slice(rel.as_os_str().as_encoded_bytes());
            self.known.insert(meta.ino(), name);
            if let Ok(entries) = std::fs::read_dir(&dir) {
                stack.extend(
                    entries
                        .filter_map(Result::ok)
                        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                        .map(|e| e.path()),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_directories_by_inode_including_new_ones() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("system.slice/docker-abc.scope")).unwrap();
        let mut n = CgroupNames::new(Some(d.path().to_path_buf()));
        let ino = |p: &str| std::fs::metadata(d.path().join(p)).unwrap().ino();
        assert_eq!(n.path(ino("")), Some(&b"/"[..]));
        assert_eq!(
            n.path(ino("system.slice/docker-abc.scope")),
            Some(&b"/system.slice/docker-abc.scope"[..])
        );
        std::fs::create_dir(d.path().join("late")).unwrap();
        assert_eq!(n.path(ino("late")), Some(&b"/late"[..]));
        std::fs::create_dir(d.path().join("brief")).unwrap();
        let brief = ino("brief");
        std::fs::remove_dir(d.path().join("brief")).unwrap();
        assert_eq!(n.path(brief), None, "gone before it was asked about");
        assert_eq!(n.path(u64::MAX), None);
    }
}
