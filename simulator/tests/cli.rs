//! The binary as a user runs it: errors exit non-zero with a message, never
//! a panic; calibration output is byte-identical across runs and threads.

use std::process::Command;

fn sim(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_bulwark-sim")).args(args).output().expect("the binary runs")
}

/// A quick config: three scenarios, two candidates per knob, six-hour paths.
fn quick_config(dir: &std::path::Path) -> std::path::PathBuf {
    let out = sim(&["calibrate", "--print-default-config"]);
    assert!(out.status.success());
    let mut cfg: toml::Value = toml::from_str(std::str::from_utf8(&out.stdout).unwrap()).unwrap();
    let keep = ["baseline_calm", "flash_loan_euler", "keys_radiant"];
    let scenarios = cfg["scenarios"].as_array_mut().unwrap();
    scenarios.retain(|s| keep.contains(&s["name"].as_str().unwrap()));
    for s in scenarios.iter_mut() {
        let imp = s["importance_factor"].as_float().unwrap();
        s["importance_factor"] = toml::Value::Float(imp.min(100.0));
    }
    cfg["run"]["paths"] = toml::Value::Integer(1_000);
    cfg["run"]["search_paths"] = toml::Value::Integer(1_000);
    cfg["run"]["horizon_hours"] = toml::Value::Integer(6);
    let cal = &mut cfg["calibration"];
    cal["hourly_share_bps"] = toml::Value::try_from(vec![100, 400]).unwrap();
    cal["max_deviation_bps"] = toml::Value::try_from(vec![1_000, 3_000]).unwrap();
    cal["critical_timelock_hours"] = toml::Value::try_from(vec![6.0, 48.0]).unwrap();
    cal["exit_cooldown_days"] = toml::Value::try_from(vec![3.0, 7.0]).unwrap();
    cal["throttle_hours"] = toml::Value::try_from(vec![1.0, 4.0]).unwrap();
    cal["halt_hours"] = toml::Value::try_from(vec![2.0, 8.0]).unwrap();
    cal["inflow_decay_minutes"] = toml::Value::try_from(vec![30.0, 60.0]).unwrap();
    cal["reference_smoothing_bps"] = toml::Value::try_from(vec![100, 400]).unwrap();
    let path = dir.join("quick.toml");
    std::fs::write(&path, toml::to_string(&cfg).unwrap()).unwrap();
    path
}

#[test]
fn bad_config_exits_with_the_field_and_no_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    let good = String::from_utf8(sim(&["calibrate", "--print-default-config"]).stdout).unwrap();
    std::fs::write(&path, good.replace("paths = 100000", "paths = 5")).unwrap();
    let out = sim(&["--config", path.to_str().unwrap(), "calibrate"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("`run.paths`") && err.contains("allowed 1000"), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    std::fs::write(&path, "not = [valid").unwrap();
    let out = sim(&["--config", path.to_str().unwrap(), "scenarios"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid config"));

    let out = sim(&["simulate", "--scenario", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no scenario \"nope\""));
}

#[test]
fn scenarios_lists_every_built_in_scenario() {
    let out = sim(&["scenarios"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for kind in ["oracle_manipulation", "flash_loan_drain", "key_compromise", "bank_run", "griefing", "bridge_exploit"]
    {
        assert!(text.contains(kind), "{kind} missing from:\n{text}");
    }
}

#[test]
fn calibrate_is_byte_identical_across_runs_and_threads() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = quick_config(dir.path());
    let run = |threads: &str, out: &str| {
        let out_dir = dir.path().join(out);
        let o = sim(&[
            "--config",
            cfg.to_str().unwrap(),
            "--threads",
            threads,
            "--quiet",
            "--out",
            out_dir.to_str().unwrap(),
            "calibrate",
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        out_dir
    };
    let a = run("1", "a");
    let b = run("2", "b");
    let c = run("2", "c");
    for f in ["params.json", "report.md", "report.html", "loss_distribution.svg", "parameter_sweep.svg"] {
        let fa = std::fs::read(a.join(f)).unwrap();
        assert_eq!(fa, std::fs::read(b.join(f)).unwrap(), "{f} differs between 1 and 2 threads");
        assert_eq!(fa, std::fs::read(c.join(f)).unwrap(), "{f} differs between runs");
    }
    // The search is repeated on two further seeds, and the report and the
    // provenance say what each chose.
    let params: serde_json::Value = serde_json::from_slice(&std::fs::read(a.join("params.json")).unwrap()).unwrap();
    let seeds = params["provenance"]["chosen_on_other_seeds"].as_array().unwrap();
    assert_eq!(seeds.len(), 3);
    assert_eq!(seeds[0]["seed"], params["provenance"]["seed"]);
    let report = std::fs::read_to_string(a.join("report.md")).unwrap();
    assert!(report.contains("| spread |") && report.contains("## One year"), "{report}");
    let params: serde_json::Value = serde_json::from_slice(&std::fs::read(a.join("params.json")).unwrap()).unwrap();
    for key in ["circuit_breaker", "multisig_guard", "insurance_fund", "provenance"] {
        assert!(params.get(key).is_some(), "params.json lacks {key}");
    }
    assert_eq!(params["provenance"]["paths"], 1_000);
    // The file deploys unchanged: it parses back into core's constructor structs.
    let o = sim(&[
        "--config",
        cfg.to_str().unwrap(),
        "--quiet",
        "--out",
        dir.path().to_str().unwrap(),
        "simulate",
        "--scenario",
        "keys_radiant",
        "--params",
        a.join("params.json").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn arguments_and_outputs_are_checked_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    // Thread counts are bounded (5000 used to hang): refused at once.
    let out = sim(&["--threads", "5000", "scenarios"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--threads"));
    // An output folder that cannot be created is refused before the run.
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let out = sim(&["--out", file.join("sub").to_str().unwrap(), "simulate", "--scenario", "baseline_calm"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--out"), "{}", String::from_utf8_lossy(&out.stderr));
    // Outputs are not overwritten without --force.
    let cfg = quick_config(dir.path());
    let out_dir = dir.path().join("out");
    std::fs::create_dir_all(&out_dir).unwrap();
    std::fs::write(out_dir.join("params.json"), "mine").unwrap();
    let args = ["--config", cfg.to_str().unwrap(), "--quiet", "--out", out_dir.to_str().unwrap(), "calibrate"];
    let out = sim(&args);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    assert_eq!(std::fs::read_to_string(out_dir.join("params.json")).unwrap(), "mine");
    let mut forced = args.to_vec();
    forced.insert(0, "--force");
    assert!(sim(&forced).status.success());
    assert_ne!(std::fs::read_to_string(out_dir.join("params.json")).unwrap(), "mine");
    // What calibrate wrote is exactly the list its output check covers.
    let mut written: Vec<String> =
        std::fs::read_dir(&out_dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    let mut listed: Vec<String> = bulwark_sim::output::CALIBRATE.iter().map(|f| f.to_string()).collect();
    written.sort();
    listed.sort();
    assert_eq!(written, listed);
}

#[test]
fn an_infeasible_calibration_writes_its_outputs_and_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = quick_config(dir.path());
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    // Crashes of 63% several times a path leave every price band the search
    // tries (its grid, 10% and 30%, and the midpoint between), and no trip is allowed.
    assert!(
        text.contains("max_false_trip_rate = 0.03")
            && text.contains("jumps_per_year = 4.0")
            && text.contains("jump_mean = -0.03")
    );
    text = text.replace("max_false_trip_rate = 0.03", "max_false_trip_rate = 0.0");
    text = text.replace("jumps_per_year = 4.0", "jumps_per_year = 10000.0");
    text = text.replace("jump_mean = -0.03", "jump_mean = -1.0");
    std::fs::write(&cfg, text).unwrap();
    let out_dir = dir.path().join("out");
    let out = sim(&["--config", cfg.to_str().unwrap(), "--quiet", "--out", out_dir.to_str().unwrap(), "calibrate"]);
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no candidate met every constraint"));
    assert!(out_dir.join("params.json").exists() && out_dir.join("report.md").exists());
}

#[test]
fn a_hand_edited_params_file_is_refused_naming_its_field_and_needs_no_provenance() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = quick_config(dir.path());
    let out_dir = dir.path().join("out");
    let o = sim(&["--config", cfg.to_str().unwrap(), "--quiet", "--out", out_dir.to_str().unwrap(), "calibrate"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(out_dir.join("params.json")).unwrap();
    // Without its provenance block (a protocol's own parameters) it still simulates.
    let bare = &text[..text.find(",\n  \"provenance\"").unwrap()];
    let bare_path = dir.path().join("bare.json");
    std::fs::write(&bare_path, format!("{bare}\n}}\n")).unwrap();
    let run = |params: &std::path::Path| {
        sim(&[
            "--config",
            cfg.to_str().unwrap(),
            "--quiet",
            "--force",
            "--out",
            dir.path().to_str().unwrap(),
            "simulate",
            "--scenario",
            "keys_radiant",
            "--params",
            params.to_str().unwrap(),
        ])
    };
    let o = run(&bare_path);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // A bad value: exit 2 naming the field, never a panic.
    let bad_path = dir.path().join("bad.json");
    std::fs::write(&bad_path, text.replacen("\"threshold\": 2", "\"threshold\": 9", 1)).unwrap();
    let o = run(&bad_path);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("multisig_guard.threshold") && !err.contains("panicked"), "{err}");
}

#[test]
fn compare_reports_the_yearly_loss_avoided_against_no_bulwark() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = quick_config(dir.path());
    let out_dir = dir.path().join("out");
    let o = sim(&["--config", cfg.to_str().unwrap(), "--quiet", "--out", out_dir.to_str().unwrap(), "compare"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let cmp: serde_json::Value = serde_json::from_slice(&std::fs::read(out_dir.join("compare.json")).unwrap()).unwrap();
    assert_eq!(cmp["b"], "no Bulwark");
    assert_eq!(cmp["scenarios"].as_array().unwrap().len(), 3);
    let avoided = &cmp["total_avoided"];
    assert!(avoided["lo"].as_f64().unwrap() > 0.0, "a positive saving, its interval above 0: {avoided}");
    assert!(std::fs::read_to_string(out_dir.join("compare.md")).unwrap().contains("| **total** |"));
    // Two parameter sets: a set against itself avoids exactly nothing.
    let o = sim(&[
        "--config",
        cfg.to_str().unwrap(),
        "--quiet",
        "--force",
        "--out",
        out_dir.to_str().unwrap(),
        "calibrate",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let p = out_dir.join("params.json");
    let o = sim(&[
        "--config",
        cfg.to_str().unwrap(),
        "--quiet",
        "--force",
        "--out",
        out_dir.to_str().unwrap(),
        "compare",
        "--params",
        p.to_str().unwrap(),
        "--vs",
        p.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let cmp: serde_json::Value = serde_json::from_slice(&std::fs::read(out_dir.join("compare.json")).unwrap()).unwrap();
    assert_eq!(cmp["total_avoided"]["mean"].as_f64(), Some(0.0));
    assert!(std::fs::read_to_string(out_dir.join("report.md")).unwrap().contains("## What Bulwark saves"));
}

/// `--json` prints one JSON document on stdout, and the effective config
/// written beside the outputs reruns the same calibration byte for byte.
#[test]
fn the_json_summary_parses_and_the_effective_config_reruns_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = quick_config(dir.path());
    let first = dir.path().join("first");
    let o = sim(&["--config", cfg.to_str().unwrap(), "--json", "--out", first.to_str().unwrap(), "calibrate"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&o.stdout).expect("stdout is one JSON document");
    assert_eq!(summary["feasible"], true);
    assert!(summary["knobs"]["hourly_share_bps"].is_number());
    assert!(summary["fund"]["recommended_usd"].as_f64().unwrap() > 0.0);
    // The summary's warnings are the executive summary's, one for one.
    let report = std::fs::read_to_string(first.join("report.md")).unwrap();
    let warnings = summary["warnings"].as_array().expect("a list of warnings");
    assert!(!warnings.is_empty(), "the quick config's fund is below its sizing: at least that warning");
    for w in warnings {
        assert!(report.contains(&format!("  - {}\n", w.as_str().unwrap())), "{w} is not in report.md");
    }
    let effective = first.join("config.toml");
    let again = dir.path().join("again");
    let o = sim(&["--config", effective.to_str().unwrap(), "--quiet", "--out", again.to_str().unwrap(), "calibrate"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(std::fs::read(first.join("params.json")).unwrap(), std::fs::read(again.join("params.json")).unwrap());

    // Against current parameters equal to the recommendation, on the same
    // paths, nothing is avoided: exactly zero, interval included.
    let current = first.join("params.json");
    let third = dir.path().join("third");
    let o = sim(&[
        "--config",
        cfg.to_str().unwrap(),
        "--json",
        "--out",
        third.to_str().unwrap(),
        "calibrate",
        "--current",
        current.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let avoided = &summary["yearly_avoided_vs_current_usd"];
    assert_eq!(
        (avoided["mean"].as_f64(), avoided["lo"].as_f64(), avoided["hi"].as_f64()),
        (Some(0.0), Some(0.0), Some(0.0))
    );
    assert!(std::fs::read_to_string(third.join("report.md")).unwrap().contains("## Against the current parameters"));
    // A bad current file is refused before any work.
    let o = sim(&[
        "--config",
        cfg.to_str().unwrap(),
        "--out",
        third.to_str().unwrap(),
        "calibrate",
        "--current",
        "/nonexistent.json",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

/// `sim` with a deadline: a run that is not refused at once is killed, and
/// `None` says so (a resource bomb that was not refused would run for days).
fn sim_within(args: &[&str], secs: u64) -> Option<std::process::Output> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bulwark-sim"))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let start = std::time::Instant::now();
    while start.elapsed() < std::time::Duration::from_secs(secs) {
        if child.try_wait().expect("waitable").is_some() {
            return Some(child.wait_with_output().expect("its output"));
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

/// Issue 21, item 12: an output that is a symlink is refused (exit 2 naming
/// it), with or without `--force`, and what it points at is left alone; the
/// write probe follows no symlink either.
#[cfg(unix)]
#[test]
fn symlinked_outputs_are_refused_and_their_targets_untouched() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let cfg = quick_config(dir.path());
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let victim = elsewhere.join("victim");
    std::fs::write(&victim, "keep").unwrap();
    let out_dir = dir.path().join("out");
    std::fs::create_dir_all(&out_dir).unwrap();
    let simulate = |force: bool| {
        let mut args = vec!["--config", cfg.to_str().unwrap(), "--quiet", "--out", out_dir.to_str().unwrap()];
        if force {
            args.push("--force");
        }
        args.extend(["simulate", "--scenario", "keys_radiant"]);
        sim(&args)
    };

    // The old write probe's name, planted as a symlink: the probe must not
    // truncate what it points at.
    symlink(&victim, out_dir.join(".bulwark-write-check")).unwrap();
    let o = simulate(false);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep", "the write probe wrote through a symlink");
    std::fs::remove_file(out_dir.join(".bulwark-write-check")).ok();
    std::fs::remove_file(out_dir.join("simulate-keys_radiant.json")).unwrap();

    // An output that is a symlink to an existing file: refused even with --force.
    let output = out_dir.join("simulate-keys_radiant.json");
    symlink(&victim, &output).unwrap();
    for force in [false, true] {
        let o = simulate(force);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "--force {force}: {err}");
        assert!(err.contains("symlink") && err.contains(output.to_str().unwrap()), "{err}");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep", "--force {force} wrote through a symlink");
    }
    std::fs::remove_file(&output).unwrap();

    // A dangling symlink: nothing is created where it points, for simulate
    // and for calibrate (refused before any work).
    let outside = elsewhere.join("planted.json");
    symlink(&outside, &output).unwrap();
    let o = simulate(true);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("symlink") && err.contains(output.to_str().unwrap()), "{err}");
    assert!(!outside.exists(), "a dangling output symlink wrote outside --out");
    let report = out_dir.join("report.md");
    symlink(elsewhere.join("report.md"), &report).unwrap();
    let o = sim(&["--config", cfg.to_str().unwrap(), "--quiet", "--out", out_dir.to_str().unwrap(), "calibrate"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("symlink") && err.contains(report.to_str().unwrap()), "{err}");
    assert!(!elsewhere.join("report.md").exists() && !out_dir.join("params.json").exists());
}

/// Issue 21, item 13: the SVG charts are outputs like the others: an
/// existing one stops the run before any work unless `--force`.
#[test]
fn existing_charts_are_not_overwritten_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = quick_config(dir.path());
    for chart in ["loss_distribution.svg", "tail_fit.svg", "parameter_sweep.svg", "cvar_convergence.svg"] {
        let out_dir = dir.path().join(chart.replace('.', "_"));
        std::fs::create_dir_all(&out_dir).unwrap();
        std::fs::write(out_dir.join(chart), "mine").unwrap();
        let o = sim(&["--config", cfg.to_str().unwrap(), "--quiet", "--out", out_dir.to_str().unwrap(), "calibrate"]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{chart}: {err}");
        assert!(err.contains(chart) && err.contains("--force"), "{err}");
        assert_eq!(std::fs::read_to_string(out_dir.join(chart)).unwrap(), "mine");
        assert!(!out_dir.join("params.json").exists(), "{chart}: the run went ahead");
    }
}

/// Issue 21, item 14: each setting is bounded, and so is what they need
/// together: 64 scenarios × 10⁷ paths × 43,200 steps (about 123 GB of
/// stored path outcomes) is refused at once, with exit 2 and the fields.
#[test]
fn a_run_too_big_for_this_machine_is_refused_naming_its_fields() {
    let dir = tempfile::tempdir().unwrap();
    let path = quick_config(dir.path());
    let mut cfg: toml::Value = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let calm = cfg["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"].as_str() == Some("baseline_calm"))
        .unwrap()
        .clone();
    let many: Vec<toml::Value> = (0..64)
        .map(|i| {
            let mut s = calm.clone();
            s["name"] = toml::Value::String(format!("calm_{i}"));
            s
        })
        .collect();
    cfg["scenarios"] = toml::Value::Array(many);
    cfg["run"]["paths"] = toml::Value::Integer(10_000_000);
    cfg["run"]["search_paths"] = toml::Value::Integer(1_000);
    cfg["run"]["horizon_hours"] = toml::Value::Integer(720);
    cfg["run"]["step_minutes"] = toml::Value::Integer(1);
    let big = dir.path().join("big.toml");
    std::fs::write(&big, toml::to_string(&cfg).unwrap()).unwrap();
    let out_dir = dir.path().join("out");
    for command in ["calibrate", "compare"] {
        let mut args = vec!["--config", big.to_str().unwrap(), "--quiet", "--out", out_dir.to_str().unwrap()];
        args.push(command);
        let o = sim_within(&args, 30).unwrap_or_else(|| panic!("{command}: still running after 30 s, not refused"));
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{command}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(err.contains("run.paths") && err.contains("scenarios"), "{command}: {err}");
    }
}

/// Issue 23, item 5: n local processes, each one shard, then `merge`: the
/// bytes one run on one machine writes. The oracle scenario runs both
/// attacker policies, and the shards run at different thread counts.
#[test]
fn shards_merged_are_byte_identical_to_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let run = ["--quiet", "--paths", "1000", "--seed", "11"];
    let scenario = ["simulate", "--scenario", "oracle_mango"];
    let one = sim(&[&run[..], &["--out", &out("one")], &scenario[..]].concat());
    assert!(one.status.success(), "{}", String::from_utf8_lossy(&one.stderr));
    for (k, threads) in [(1, "1"), (2, "2"), (3, "1")] {
        let shard = format!("{k}/3");
        let args =
            [&run[..], &["--json", "--threads", threads, "--out", &out("shards")], &scenario[..], &["--shard", &shard]];
        let o = sim(&args.concat());
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(summary["shard"], shard.as_str());
        let (first, end) = (summary["paths"][0].as_u64().unwrap(), summary["paths"][1].as_u64().unwrap());
        assert_eq!((first, end), ((k - 1) * 1000 / 3, k * 1000 / 3));
    }
    let shard = |k: u32| out(&format!("shards/simulate-oracle_mango.shard-{k}-of-3.cbor"));
    let merged = sim(&["--quiet", "--out", &out("merged"), "merge", &shard(3), &shard(1), &shard(2)]);
    assert!(merged.status.success(), "{}", String::from_utf8_lossy(&merged.stderr));
    let bytes = |d: &str| std::fs::read(dir.path().join(d).join("simulate-oracle_mango.json")).unwrap();
    assert_eq!(bytes("one"), bytes("merged"), "the merged shards differ from the one run");

    // A missing shard, a shard given twice, and a shard of another run
    // (another seed) are refused, naming them; nothing is written.
    let refused = |args: &[&str], says: &str| {
        let o = sim(&[&["--quiet", "--out", &out("refused"), "merge"][..], args].concat());
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains(says) && !err.contains("panicked"), "{says}: {err}");
    };
    refused(&[&shard(1), &shard(2)], "shard 3/3 missing");
    refused(&[&shard(1), &shard(2), &shard(2)], "are both shard 2/3");
    let other = ["--quiet", "--paths", "1000", "--seed", "12", "--out", &out("other")];
    assert!(sim(&[&other[..], &scenario[..], &["--shard", "3/3"]].concat()).status.success());
    let other3 = out("other/simulate-oracle_mango.shard-3-of-3.cbor");
    refused(&[&shard(1), &shard(2), &other3], "another run");
    refused(&[&out("one/simulate-oracle_mango.json")], "not a bulwark-sim shard file");
    assert!(!dir.path().join("refused").join("simulate-oracle_mango.json").exists());
}

/// `calibrate --shard k/n` on two processes (at different thread counts),
/// then `merge`: every output of the one run on one machine, byte for byte.
#[test]
fn calibrate_shards_merged_are_byte_identical_to_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let quick = quick_config(dir.path());
    let mut cfg: toml::Value = toml::from_str(&std::fs::read_to_string(&quick).unwrap()).unwrap();
    cfg["calibration"]["stability_seeds"] = toml::Value::Integer(0);
    std::fs::write(&quick, toml::to_string(&cfg).unwrap()).unwrap();
    let out = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let base = ["--quiet", "--config", quick.to_str().unwrap()];
    let one = sim(&[&base[..], &["--out", &out("one"), "calibrate"]].concat());
    assert!(one.status.success(), "{}", String::from_utf8_lossy(&one.stderr));
    for (shard, threads) in [("1/2", "2"), ("2/2", "1")] {
        let o =
            sim(&[&base[..], &["--threads", threads, "--out", &out("shards"), "calibrate", "--shard", shard]].concat());
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let shard = |k: u32| out(&format!("shards/calibrate.shard-{k}-of-2.cbor"));
    let merged = sim(&["--quiet", "--out", &out("merged"), "merge", &shard(2), &shard(1)]);
    assert!(merged.status.success(), "{}", String::from_utf8_lossy(&merged.stderr));
    let outputs = [
        "params.json",
        "report.md",
        "report.html",
        "config.toml",
        "loss_distribution.svg",
        "tail_fit.svg",
        "parameter_sweep.svg",
        "cvar_convergence.svg",
    ];
    for f in outputs {
        let read = |d: &str| std::fs::read(dir.path().join(d).join(f)).unwrap();
        assert!(read("one") == read("merged"), "{f}: the merged shards differ from the one run");
    }
    // A calibrate shard and a simulate shard are not one run.
    let sim_shard = ["--quiet", "--paths", "1000", "--out", &out("sim"), "simulate", "--scenario", "baseline_calm"];
    assert!(sim(&[&sim_shard[..], &["--shard", "2/2"]].concat()).status.success());
    let o = sim(&[
        "--quiet",
        "--out",
        &out("refused"),
        "merge",
        &shard(1),
        &out("sim/simulate-baseline_calm.shard-2-of-2.cbor"),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("another run") && err.contains("command"), "{err}");
}
