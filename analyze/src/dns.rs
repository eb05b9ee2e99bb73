//! DNS messages as the recorder kept them (`dns` events, SPEC.md §5.1):
//! decoded here, offline, by `simple-dns`, whose parser bounds names and
//! refuses compression loops. The bytes are the recorded host's: names are
//! kept as bytes and go through `Escaped` wherever they are printed.

use std::net::IpAddr;

use shrike_format::Body;

/// IP protocol number of TCP, whose DNS messages start with their length.
const TCP: u64 = 6;

/// One decoded message.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Message {
    /// The message id.
    pub id: u16,
    /// A response (the QR bit), else a query.
    pub response: bool,
    /// The response code (the header's four bits).
    pub rcode: u8,
    /// The first question: its name (presentation form) and type.
    pub question: Option<(Vec<u8>, u16)>,
    /// The answer section, in order.
    pub answers: Vec<Answer>,
}

/// One answer record.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    /// The owner name.
    pub name: Vec<u8>,
    /// The record type.
    pub rtype: u16,
    /// Its value: an address, a name (CNAME, PTR, NS, MX), else nothing.
    pub value: Value,
}

/// An answer's value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A or AAAA.
    Ip(IpAddr),
    /// A name.
    Name(Vec<u8>),
    /// A type not shown.
    Other,
}

/// The message of a `dns` event; `None` for other events and for bytes
/// that are no DNS message (or were cut before its end).
pub fn message(b: &Body<&[u8]>) -> Option<Message> {
    let Body::Dns { data, proto, .. } = b else {
        return None;
    };
    let data = if *proto == TCP { data.get(2..)? } else { data };
    decode(data)
}

/// Decodes one message.
pub fn decode(data: &[u8]) -> Option<Message> {
    let p = simple_dns::Packet::parse(data).ok()?;
    let question = p
        .questions
        .first()
        .map(|q| (name(&q.qname), u16::from(q.qtype)));
    let answers = p
        .answers
        .iter()
        .map(|rr| {
            use simple_dns::rdata::RData;
            let value = match &rr.rdata {
                RData::A(a) => Value::Ip(IpAddr::from(std::net::Ipv4Addr::from(a.address))),
                RData::AAAA(a) => Value::Ip(IpAddr::from(std::net::Ipv6Addr::from(a.address))),
                RData::CNAME(n) => Value::Name(name(&n.0)),
                RData::PTR(n) => Value::Name(name(&n.0)),
                RData::NS(n) => Value::Name(name(&n.0)),
                RData::MX(m) => Value::Name(name(&m.exchange)),
                _ => Value::Other,
            };
            Answer {
                name: name(&rr.name),
                rtype: u16::from(rr.rdata.type_code()),
                value,
            }
        })
        .collect();
    Some(Message {
        id: u16::from_be_bytes([data[0], data[1]]),
        response: data[2] & 0x80 != 0,
        rcode: data[3] & 0x0f,
        question,
        answers,
    })
}

/// A name in presentation form: labels joined by `.`, a `.` or `\` inside a
/// label escaped with `\` (RFC 1035 §5.1), so labels cannot be forged by
/// joining. Other bytes stay as they are, for `Escaped` to show.
fn name(n: &simple_dns::Name<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, label) in n.as_bytes().enumerate() {
        if i > 0 {
            out.push(b'.');
        }
        for &c in label {
            if c == b'.' || c == b'\\' {
                out.push(b'\\');
            }
            out.push(c);
        }
    }
    out
}

/// The name of a record type (IANA's mnemonic), else `TYPEn` (RFC 3597).
pub fn type_name(t: u16) -> std::borrow::Cow<'static, str> {
    let n = match t {
        1 => "A",
        2 => "NS",
        5 => "CNAME",
        6 => "SOA",
        12 => "PTR",
        15 => "MX",
        16 => "TXT",
        28 => "AAAA",
        33 => "SRV",
        35 => "NAPTR",
        41 => "OPT",
        43 => "DS",
        46 => "RRSIG",
        48 => "DNSKEY",
        64 => "SVCB",
        65 => "HTTPS",
        99 => "SPF",
        252 => "AXFR",
        255 => "ANY",
        257 => "CAA",
        t => return format!("TYPE{t}").into(),
    };
    n.into()
}

/// The name of a response code (IANA's mnemonic), else `RCODEn`.
pub fn rcode_name(r: u8) -> std::borrow::Cow<'static, str> {
    let n = match r {
        0 => "NOERROR",
        1 => "FORMERR",
        2 => "SERVFAIL",
        3 => "NXDOMAIN",
        4 => "NOTIMP",
        5 => "REFUSED",
        6 => "YXDOMAIN",
        7 => "YXRRSET",
        8 => "NXRRSET",
        9 => "NOTAUTH",
        10 => "NOTZONE",
        r => return format!("RCODE{r}").into(),
    };
    n.into()
}

impl Message {
    /// The answers' values, comma-separated (`198.51.100.9,cdn.example.net`),
    /// in the order of the answer section.
    pub fn answer_list(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for a in &self.answers {
            let v: Vec<u8> = match &a.value {
                Value::Ip(ip) => ip.to_string().into_bytes(),
                Value::Name(n) => n.clone(),
                Value::Other => continue,
            };
            if !out.is_empty() {
                out.push(b',');
            }
            out.extend_from_slice(&v);
        }
        out
    }

    /// The addresses the answers gave.
    pub fn ips(&self) -> impl Iterator<Item = IpAddr> + '_ {
        self.answers.iter().filter_map(|a| match a.value {
            Value::Ip(ip) => Some(ip),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A response for `name` (type A) with `ips`, the answers pointing at the question.
    pub(crate) fn response(name: &str, ips: &[[u8; 4]]) -> Vec<u8> {
        let mut b = vec![0x12, 0x34, 0x81, 0x80, 0, 1, 0, ips.len() as u8, 0, 0, 0, 0];
        for l in name.split('.') {
            b.push(l.len() as u8);
            b.extend_from_slice(l.as_bytes());
        }
        b.extend_from_slice(&[0, 0, 1, 0, 1]);
        for ip in ips {
            b.extend_from_slice(&[0xc0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4]);
            b.extend_from_slice(ip);
        }
        b
    }

    #[test]
    fn a_response_gives_its_question_and_answers() {
        let m = decode(&response(
            "example.org",
            &[[198, 51, 100, 9], [198, 51, 100, 10]],
        ))
        .unwrap();
        assert!(m.response);
        assert_eq!(m.id, 0x1234);
        assert_eq!(m.question, Some((b"example.org".to_vec(), 1)));
        assert_eq!(m.answer_list(), b"198.51.100.9,198.51.100.10");
        assert_eq!(rcode_name(m.rcode), "NOERROR");
        assert_eq!(type_name(28), "AAAA");
        assert_eq!(type_name(4242), "TYPE4242");
    }

    #[test]
    fn a_dot_inside_a_label_cannot_pass_for_a_label_boundary() {
        // One label "evil.example" under "org": not the name evil.example.org.
        let mut b = vec![0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 12];
        b.extend_from_slice(b"evil.example");
        b.extend_from_slice(&[3, b'o', b'r', b'g', 0, 0, 1, 0, 1]);
        let m = decode(&b).unwrap();
        assert!(!m.response);
        assert_eq!(m.question.unwrap().0, b"evil\\.example.org");
    }

    #[test]
    fn any_bytes_decode_or_are_refused_without_a_panic() {
        // Every one-byte change of a valid response, and random messages.
        let whole = response("a.example.org", &[[1, 2, 3, 4], [5, 6, 7, 8]]);
        for i in 0..whole.len() {
            for v in [0u8, 1, 0x3f, 0x40, 0xc0, 0xff] {
                let mut m = whole.clone();
                m[i] = v;
                if let Some(m) = decode(&m) {
                    let _ = (m.answer_list(), m.ips().count());
                }
            }
        }
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 300) as usize;
            let bytes: Vec<u8> = (0..len).map(|i| (x >> (i % 56)) as u8 ^ i as u8).collect();
            let _ = decode(&bytes);
        }
    }

    #[test]
    fn crafted_messages_are_refused_not_followed() {
        // A compression pointer to itself, a cut message, a count past the end.
        let looped = [
            0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1,
        ];
        assert_eq!(decode(&looped), None);
        let whole = response("example.org", &[[1, 2, 3, 4]]);
        for cut in 0..whole.len() {
            assert_eq!(decode(&whole[..cut]), None, "cut at {cut}");
        }
        let mut many = whole.clone();
        many[7] = 200;
        assert_eq!(decode(&many), None);
    }
}
