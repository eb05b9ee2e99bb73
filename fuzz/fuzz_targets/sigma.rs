//! Any bytes as a Sigma rule file, through the engine: errors and skipped
//! rules are fine, panics (in the YAML parser, the converter or the
//! compiler) are not.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(loaded) = shrike_sigma::load("fuzz.yml", text) {
        let mut set = shrike_rule_lang::RuleSet::default();
        shrike_sigma::add(&mut set, loaded);
        let _ = shrike_analyze::scan::Engine::new(&set, shrike_rule_lang::Priority::Debug);
    }
});
