//! Where the proxy may connect: scheme, host allowlist, ports, and the addresses it refuses
//! (RELIABILITY.md section 5, rows 4 and 5; the OWASP SSRF prevention cheat sheet).
//!
//! A target is checked twice. [`Policy::destination`] decides from the parsed authority alone
//! (before any DNS): the scheme (`https`, or `http` for hosts named in `allow_http`), the port,
//! the host allowlist, and the address of an IP literal. [`Policy::check_address`] then checks
//! every address a name resolved to; it returns a [`CheckedAddr`], the only value the connector
//! accepts, so the proxy can connect only to an address that passed the check (no second
//! lookup, so DNS rebinding cannot swap the address in between).
//!
//! Refused unless the operator names the target in `allow_private`: loopback, private
//! (RFC 1918), carrier-grade NAT, link-local (including `169.254.169.254`), unspecified
//! (`0.0.0.0`, `::`), multicast, broadcast, documentation and benchmarking ranges, reserved
//! space, unique-local and site-local IPv6, IPv4-mapped and IPv4-compatible IPv6, and the
//! IPv6 transition prefixes that embed a refused IPv4 address (NAT64, 6to4) or any IPv4
//! address (Teredo).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::{
    target::{self, Authority, Host},
    Refusal,
};

/// The port of `https` targets unless `allowed_ports` adds others.
pub const HTTPS_PORT: u16 = 443;
/// The port of `http` targets named without a port in `allow_http`.
pub const HTTP_PORT: u16 = 80;

/// The scheme the proxy uses towards a target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// TLS, verified against Mozilla's roots (and any extra roots configured).
    Https,
    /// Plain HTTP: only for targets named in `allow_http`.
    Http,
}

/// The compiled target policy.
#[derive(Clone, Debug, Default)]
pub struct Policy {
    /// Host patterns (`github.com`, `*.example.org`); empty means any host.
    allowed_hosts: Vec<HostPattern>,
    /// Targets reached over plain HTTP.
    allow_http: Vec<Entry>,
    /// Targets whose private addresses may be connected to.
    allow_private: Vec<Entry>,
    /// Ports allowed for `https` besides 443.
    extra_ports: Vec<u16>,
}

/// A target named in `allow_http` or `allow_private`: a host and a port.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    host: Host,
    port: u16,
}

/// One `allowed_hosts` pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
enum HostPattern {
    /// Exactly this host.
    Exact(Host),
    /// Any name ending in `.<suffix>` (written `*.<suffix>`), not `<suffix>` itself.
    Subdomains(String),
}

/// Where a request goes, once [`Policy::destination`] allowed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Destination {
    /// The scheme to speak.
    pub scheme: Scheme,
    /// The authority as the proxy path named it.
    pub authority: Authority,
    /// The port to connect to (the authority's, or the scheme's default).
    pub port: u16,
}

/// A socket address that passed [`Policy::check_address`]; the only thing the connector
/// connects to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckedAddr(SocketAddr);

/// Why a policy setting is not valid.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A `host[:port]` setting does not parse.
    #[error("{setting} entry {entry:?}: {source}")]
    Target {
        /// The setting (`allow-http`, `allow-private`, `allow-host`).
        setting: &'static str,
        /// The entry as given.
        entry: String,
        /// Why it does not parse.
        #[source]
        source: target::Error,
    },
    /// An `allow-private` entry without a port, or an `allow-host` entry with one.
    #[error("{setting} entry {entry:?}: {expected}")]
    Shape {
        /// The setting.
        setting: &'static str,
        /// The entry as given.
        entry: String,
        /// What the setting needs.
        expected: &'static str,
    },
}

/// Lifecycle
impl Policy {
    /// Compile the policy settings.
    ///
    /// * `allowed_hosts`: `host` or `*.domain`; empty allows any host (private addresses are
    ///   still refused).
    /// * `allow_http`: `host[:port]` reached over plain HTTP (port 80 if none is given).
    /// * `allow_private`: `host:port` whose addresses may be private (loopback, RFC 1918, …);
    ///   an IP entry also allows any name that resolves to that address and port.
    /// * `extra_ports`: ports allowed for `https` targets besides 443.
    pub fn new(
        allowed_hosts: &[String],
        allow_http: &[String],
        allow_private: &[String],
        extra_ports: &[u16],
    ) -> Result<Policy, Error> {
        let allowed_hosts = allowed_hosts
            .iter()
            .map(|entry| HostPattern::parse(entry))
            .collect::<Result<_, _>>()?;
        let allow_http = allow_http
            .iter()
            .map(|entry| Entry::parse("allow-http", entry, Some(HTTP_PORT)))
            .collect::<Result<_, _>>()?;
        let allow_private = allow_private
            .iter()
            .map(|entry| Entry::parse("allow-private", entry, None))
            .collect::<Result<_, _>>()?;
        Ok(Policy {
            allowed_hosts,
            allow_http,
            allow_private,
            extra_ports: extra_ports.to_vec(),
        })
    }
}

/// Access
impl Policy {
    /// Decide the scheme and port for `authority`, and refuse it if the host, the port, or an
    /// IP literal's address is not allowed. Needs no DNS.
    pub fn destination(&self, authority: &Authority) -> Result<Destination, Refusal> {
        let host = &authority.host;
        let http_port = authority.port.unwrap_or(HTTP_PORT);
        let (scheme, port) = if self.allow_http.iter().any(|e| e.matches(host, http_port)) {
            (Scheme::Http, http_port)
        } else {
            (Scheme::Https, authority.port.unwrap_or(HTTPS_PORT))
        };
        let named = self.allow_http.iter().any(|e| e.matches(host, port))
            || self.allow_private.iter().any(|e| e.matches(host, port));
        if !named
            && !self.allowed_hosts.is_empty()
            && !self.allowed_hosts.iter().any(|p| p.matches(host))
        {
            return Err(Refusal::HostNotAllowed);
        }
        let port_allowed = named || port == HTTPS_PORT || self.extra_ports.contains(&port);
        if !port_allowed {
            return Err(Refusal::PortNotAllowed);
        }
        let destination = Destination {
            scheme,
            authority: authority.clone(),
            port,
        };
        if let Some(address) = host.ip() {
            self.check_address(&destination, address)?;
        }
        Ok(destination)
    }

    /// Check one address `destination` resolved to: refused if it is not publicly routable,
    /// unless the destination (or this address and port) is named in `allow_private`.
    pub fn check_address(
        &self,
        destination: &Destination,
        address: IpAddr,
    ) -> Result<CheckedAddr, Refusal> {
        let socket = SocketAddr::new(address, destination.port);
        if is_refused_address(address) {
            let host_named = self
                .allow_private
                .iter()
                .any(|e| e.matches(&destination.authority.host, destination.port));
            let address_named = self
                .allow_private
                .iter()
                .any(|e| e.host.ip() == Some(address) && e.port == destination.port);
            if !(host_named || address_named) {
                return Err(Refusal::PrivateAddress);
            }
        }
        Ok(CheckedAddr(socket))
    }
}

/// Access
impl CheckedAddr {
    /// The socket address to connect to.
    pub fn socket_addr(self) -> SocketAddr {
        self.0
    }
}

/// Lifecycle
impl Entry {
    fn parse(
        setting: &'static str,
        entry: &str,
        default_port: Option<u16>,
    ) -> Result<Entry, Error> {
        let authority = target::parse(entry).map_err(|source| Error::Target {
            setting,
            entry: entry.to_owned(),
            source,
        })?;
        let port = authority
            .port
            .or(default_port)
            .ok_or_else(|| Error::Shape {
                setting,
                entry: entry.to_owned(),
                expected: "needs host:port",
            })?;
        Ok(Entry {
            host: authority.host,
            port,
        })
    }

    fn matches(&self, host: &Host, port: u16) -> bool {
        self.host == *host && self.port == port
    }
}

/// Lifecycle
impl HostPattern {
    fn parse(entry: &str) -> Result<HostPattern, Error> {
        let setting = "allow-host";
        let (wildcard, text) = match entry.strip_prefix("*.") {
            Some(suffix) => (true, suffix),
            None => (false, entry),
        };
        let authority = target::parse(text).map_err(|source| Error::Target {
            setting,
            entry: entry.to_owned(),
            source,
        })?;
        if authority.port.is_some() {
            return Err(Error::Shape {
                setting,
                entry: entry.to_owned(),
                expected: "a host without a port (ports are set with allowed ports)",
            });
        }
        match (wildcard, authority.host) {
            (false, host) => Ok(HostPattern::Exact(host)),
            (true, Host::Name(suffix)) => Ok(HostPattern::Subdomains(suffix)),
            (true, _) => Err(Error::Shape {
                setting,
                entry: entry.to_owned(),
                expected: "a wildcard needs a DNS name (*.example.org)",
            }),
        }
    }

    fn matches(&self, host: &Host) -> bool {
        match (self, host) {
            (HostPattern::Exact(pattern), host) => pattern == host,
            (HostPattern::Subdomains(suffix), Host::Name(name)) => name
                .strip_suffix(suffix.as_str())
                .is_some_and(|head| head.len() > 1 && head.ends_with('.')),
            (HostPattern::Subdomains(_), _) => false,
        }
    }
}

/// Whether the proxy refuses to connect to `address` unless told otherwise: everything that is
/// not a publicly routable unicast address.
pub fn is_refused_address(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => is_refused_v4(v4),
        IpAddr::V6(v6) => is_refused_v6(v6),
    }
}

/// IPv4 special-purpose ranges (IANA IPv4 Special-Purpose Address Registry, RFC 6890).
fn is_refused_v4(address: Ipv4Addr) -> bool {
    let [a, b, c, _] = address.octets();
    a == 0                                   // 0.0.0.0/8 "this network", incl. 0.0.0.0
        || a == 10                           // 10.0.0.0/8 private
        || (a == 100 && (64..128).contains(&b)) // 100.64.0.0/10 carrier-grade NAT
        || a == 127                          // 127.0.0.0/8 loopback
        || (a == 169 && b == 254)            // 169.254.0.0/16 link-local, cloud metadata
        || (a == 172 && (16..32).contains(&b)) // 172.16.0.0/12 private
        || (a == 192 && b == 0 && c == 0)    // 192.0.0.0/24 IETF protocol assignments
        || (a == 192 && b == 0 && c == 2)    // 192.0.2.0/24 TEST-NET-1
        || (a == 192 && b == 88 && c == 99)  // 192.88.99.0/24 6to4 relay anycast
        || (a == 192 && b == 168)            // 192.168.0.0/16 private
        || (a == 198 && (b == 18 || b == 19)) // 198.18.0.0/15 benchmarking
        || (a == 198 && b == 51 && c == 100) // 198.51.100.0/24 TEST-NET-2
        || (a == 203 && b == 0 && c == 113)  // 203.0.113.0/24 TEST-NET-3
        || a >= 224 // 224.0.0.0/4 multicast, 240.0.0.0/4 reserved, 255.255.255.255 broadcast
}

/// IPv6 special-purpose ranges (IANA IPv6 Special-Purpose Address Registry).
fn is_refused_v6(address: Ipv6Addr) -> bool {
    let segments = address.segments();
    let embedded_v4 = Ipv4Addr::new(
        (segments[6] >> 8) as u8,
        segments[6] as u8,
        (segments[7] >> 8) as u8,
        segments[7] as u8,
    );
    if segments[..6] == [0, 0, 0, 0, 0, 0] {
        // ::/128 unspecified, ::1 loopback, ::a.b.c.d IPv4-compatible (deprecated).
        return true;
    }
    if segments[..6] == [0, 0, 0, 0, 0, 0xffff] {
        // ::ffff:a.b.c.d IPv4-mapped: refused whatever it embeds (one address, two spellings).
        return true;
    }
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        // 64:ff9b::/96 NAT64: as refused as the IPv4 address it translates to.
        return is_refused_v4(embedded_v4);
    }
    if segments[0] == 0x2002 {
        // 2002::/16 6to4: the IPv4 address is in bits 16..48.
        let v4 = Ipv4Addr::new(
            (segments[1] >> 8) as u8,
            segments[1] as u8,
            (segments[2] >> 8) as u8,
            segments[2] as u8,
        );
        return is_refused_v4(v4);
    }
    (segments[0] == 0x64 && segments[1] == 0xff9b && segments[2] == 1) // 64:ff9b:1::/48 local NAT64
        || (segments[0] == 0x100 && segments[1..4] == [0, 0, 0]) // 100::/64 discard-only
        || (segments[0] == 0x2001 && segments[1] < 0x200) // 2001::/23 IETF protocol assignments, incl. Teredo 2001::/32
        || (segments[0] == 0x2001 && segments[1] == 0xdb8) // 2001:db8::/32 documentation
        || (segments[0] & 0xfe00) == 0xfc00 // fc00::/7 unique-local
        || (segments[0] & 0xffc0) == 0xfe80 // fe80::/10 link-local
        || (segments[0] & 0xffc0) == 0xfec0 // fec0::/10 site-local (deprecated)
        || (segments[0] & 0xff00) == 0xff00 // ff00::/8 multicast
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;

    use crate::{
        policy::{is_refused_address, Policy, Scheme},
        target, Refusal,
    };

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("test addresses are valid")
    }

    #[test]
    fn refused_addresses() {
        for refused in [
            "0.0.0.0",
            "0.1.2.3",
            "10.0.0.1",
            "100.64.0.1",
            "127.0.0.1",
            "127.255.255.254",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.8",
            "192.0.2.1",
            "192.168.1.1",
            "198.18.0.1",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "::127.0.0.1",
            "::ffff:127.0.0.1",
            "::ffff:8.8.8.8",
            "64:ff9b::a00:1",
            "64:ff9b:1::1",
            "2002:7f00:1::",
            "2001::1",
            "2001:db8::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
        ] {
            assert!(is_refused_address(ip(refused)), "{refused} must be refused");
        }
        for public in [
            "140.82.112.3",
            "8.8.8.8",
            "100.128.0.1",
            "172.32.0.1",
            "2606:4700::1",
            "64:ff9b::808:808",
            "2002:808:808::",
        ] {
            assert!(!is_refused_address(ip(public)), "{public} is public");
        }
    }

    fn policy(hosts: &[&str], http: &[&str], private: &[&str], ports: &[u16]) -> Policy {
        let strings = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        Policy::new(&strings(hosts), &strings(http), &strings(private), ports)
            .expect("test policies are valid")
    }

    fn destination(policy: &Policy, text: &str) -> Result<(Scheme, u16), Refusal> {
        let authority = target::parse(text).expect("test targets parse");
        policy.destination(&authority).map(|d| (d.scheme, d.port))
    }

    #[test]
    fn https_on_443_unless_named() {
        let open = policy(&[], &[], &[], &[]);
        assert_eq!(destination(&open, "github.com"), Ok((Scheme::Https, 443)));
        assert_eq!(
            destination(&open, "github.com:443"),
            Ok((Scheme::Https, 443))
        );
        assert_eq!(
            destination(&open, "github.com:80"),
            Err(Refusal::PortNotAllowed)
        );
        assert_eq!(
            destination(&open, "github.com:22"),
            Err(Refusal::PortNotAllowed)
        );
        assert_eq!(
            destination(&open, "127.0.0.1"),
            Err(Refusal::PrivateAddress)
        );
        assert_eq!(
            destination(&open, "[::ffff:127.0.0.1]"),
            Err(Refusal::PrivateAddress)
        );

        let dev = policy(
            &["github.com", "*.example.org"],
            &["127.0.0.1:8781", "git.example.org"],
            &["127.0.0.1:8781"],
            &[8443],
        );
        assert_eq!(
            destination(&dev, "127.0.0.1:8781"),
            Ok((Scheme::Http, 8781))
        );
        assert_eq!(
            destination(&dev, "127.0.0.1:8782"),
            Err(Refusal::HostNotAllowed),
            "only the named port of a named target"
        );
        assert_eq!(destination(&dev, "git.example.org"), Ok((Scheme::Http, 80)));
        assert_eq!(
            destination(&dev, "a.example.org:8443"),
            Ok((Scheme::Https, 8443))
        );
        assert_eq!(
            destination(&dev, "example.org"),
            Err(Refusal::HostNotAllowed)
        );
        assert_eq!(
            destination(&dev, "gitlab.com"),
            Err(Refusal::HostNotAllowed)
        );
        assert_eq!(
            destination(&dev, "evilexample.org"),
            Err(Refusal::HostNotAllowed)
        );
    }

    #[test]
    fn private_allowance_is_per_host_and_port() {
        let dev = policy(&[], &["localhost:8781"], &["127.0.0.1:8781"], &[]);
        let local = target::parse("localhost:8781").expect("parses");
        let destination = dev.destination(&local).expect("named in allow-http");
        assert!(
            dev.check_address(&destination, ip("127.0.0.1")).is_ok(),
            "an IP entry allows a name resolving to that address and port"
        );
        assert_eq!(
            dev.check_address(&destination, ip("127.0.0.2")),
            Err(Refusal::PrivateAddress)
        );
        assert_eq!(
            dev.check_address(&destination, ip("::1")),
            Err(Refusal::PrivateAddress)
        );
    }

    #[test]
    fn bad_settings_are_errors() {
        let strings = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert!(Policy::new(&[], &[], &strings(&["127.0.0.1"]), &[]).is_err());
        assert!(Policy::new(&strings(&["github.com:443"]), &[], &[], &[]).is_err());
        assert!(Policy::new(&strings(&["*.10.0.0.1"]), &[], &[], &[]).is_err());
        assert!(Policy::new(&[], &strings(&["user@host"]), &[], &[]).is_err());
    }
}
