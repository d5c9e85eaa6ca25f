//! Property tests of path confinement: no generated path, however twisted, names or touches
//! anything outside the granted folder.

use crate::common;

use std::path::{Component, Path};

use commis_workspace::normalize;
use common::Fixture;
use proptest::prelude::*;

/// Pieces that path tricks are made of, including the names of the planted traps.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("..".to_string()),
        Just(".".to_string()),
        Just(String::new()),
        Just("a".to_string()),
        Just("inner".to_string()),
        Just("link_dir".to_string()),
        Just("link_file".to_string()),
        Just("inner/up".to_string()),
        Just("chain".to_string()),
        Just("hard".to_string()),
        Just("outside".to_string()),
        Just("secret.txt".to_string()),
        Just("\\".to_string()),
        Just("..\\".to_string()),
        Just("\u{FF0E}\u{FF0E}".to_string()),
        Just("\u{2215}".to_string()),
        Just("..\u{0338}".to_string()),
        Just("\0".to_string()),
        Just(" ".to_string()),
        Just("...".to_string()),
        Just("C:".to_string()),
        Just(".commis-tmp-x".to_string()),
        "[a-zA-Z0-9 ._-]{1,6}",
        any::<char>().prop_map(|c| c.to_string()),
    ]
}

fn path() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        prop::collection::vec(piece(), 0..8),
        any::<bool>(),
    )
        .prop_map(|(leading, parts, trailing)| {
            let mut p = parts.join("/");
            if leading {
                p.insert(0, '/');
            }
            if trailing {
                p.push('/');
            }
            p
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn normalized_paths_stay_below_the_root(p in path(), folder in any::<bool>()) {
        if let Ok(comps) = normalize(&p, folder) {
            let root = Path::new("/granted/root");
            let mut joined = root.to_path_buf();
            for c in &comps {
                prop_assert!(!c.is_empty() && c != "." && c != "..", "{c:?} from {p:?}");
                prop_assert!(!c.contains(['/', '\\', '\0']), "{c:?} from {p:?}");
                prop_assert!(!c.chars().any(char::is_control), "{c:?} from {p:?}");
                joined.push(c);
            }
            prop_assert!(joined.starts_with(root));
            prop_assert!(joined
                .components()
                .all(|c| matches!(c, Component::RootDir | Component::Normal(_))));
        }
    }
}

static COUNT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

#[test]
fn no_generated_path_touches_anything_outside() {
    let f = Fixture::new();
    f.plant_traps();
    let ws = f.workspace();
    let outside = f.outside_state();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(400));
    runner
        .run(&path(), |p| {
            COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let _ = ws.write_file(&p, b"generated", false);
            let _ = ws.write_file(&p, b"generated", true);
            let _ = ws.make_dir(&p);
            let _ = ws.move_path(&p, "moved-here");
            let _ = ws.delete(&p);
            if let Ok(bytes) = ws.read(&p, 1 << 20) {
                prop_assert_ne!(
                    bytes,
                    b"secret".to_vec(),
                    "read the outside secret via {:?}",
                    p
                );
            }
            prop_assert_eq!(&f.outside_state(), &outside, "{:?} changed the outside", p);
            Ok(())
        })
        .unwrap();
    let n = COUNT.load(std::sync::atomic::Ordering::Relaxed);
    assert!(n >= 400, "only {n} generated paths were tried");
    println!("{n} generated paths tried through write, make_dir, move, delete and read");
}
