//! Port service names, as libsinsp reads a port literal: a number, or a
//! name `getservbyname` finds in the analysing machine's `/etc/services`
//! (`fd.sport = https`).

use std::collections::HashMap;
use std::sync::OnceLock;

/// Where the names are read: the analysing machine's table, as Falco's.
const SERVICES: &str = "/etc/services";
/// The file is a few hundred KiB; a larger one is not read past this.
const SERVICES_MAX: u64 = 4 << 20;

/// The port a literal names: itself when it is a number, else the service
/// of that name (any protocol); an error says which file did not know it.
pub fn port(literal: &str) -> Result<String, String> {
    if literal.parse::<i128>().is_ok() {
        return Ok(literal.to_string());
    }
    table()
        .get(literal)
        .map(u16::to_string)
        .ok_or_else(|| format!("`{literal}` is not a port number or a service name in {SERVICES}"))
}

fn table() -> &'static HashMap<String, u16> {
    static TABLE: OnceLock<HashMap<String, u16>> = OnceLock::new();
    TABLE.get_or_init(|| {
        use std::io::Read;
        let mut text = String::new();
        if let Ok(f) = std::fs::File::open(SERVICES) {
            let _ = f.take(SERVICES_MAX).read_to_string(&mut text);
        }
        parse(&text)
    })
}

/// `name port/proto [aliases...] [# comment]` lines; the first entry of a
/// name wins, as in the C library.
fn parse(text: &str) -> HashMap<String, u16> {
    let mut t = HashMap::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or_default();
        let mut words = line.split_whitespace();
        let (Some(name), Some(port)) = (words.next(), words.next()) else {
            continue;
        };
        let Some(port) = port.split('/').next().and_then(|p| p.parse::<u16>().ok()) else {
            continue;
        };
        for n in std::iter::once(name).chain(words) {
            t.entry(n.to_string()).or_insert(port);
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_aliases_and_comments_parse_as_the_c_library_reads_them() {
        let t = parse("# c\nssh\t22/tcp\t# SSH\nhttp 80/tcp www\nhttp 8080/udp\nbad x/tcp\n");
        assert_eq!(t.get("ssh"), Some(&22));
        assert_eq!(t.get("www"), Some(&80));
        assert_eq!(t.get("http"), Some(&80), "the first entry wins");
        assert_eq!(t.get("bad"), None);
    }
}
