//! Per-client limits: concurrent connections per client IP (and in all), and token-bucket rate
//! limits per client IP and per origin (RELIABILITY.md section 5, row 11).
//!
//! The proxy is stateless across restarts and instances: these counters live in one process's
//! memory, so behind a load balancer each instance enforces them for the traffic it sees.

use std::{
    collections::HashMap,
    hash::Hash,
    net::IpAddr,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use tokio::time::Instant;

use crate::Refusal;

/// Above this many tracked keys, full (idle) buckets are forgotten.
const MAX_IDLE_BUCKETS: usize = 4096;

/// Counts of open connections (or in-flight requests) per client IP and in all.
#[derive(Debug)]
pub(crate) struct Connections {
    state: Mutex<Counts>,
    /// The cap per client IP; 0 for none.
    per_ip: usize,
    /// The cap in all; 0 for none.
    total: usize,
}

#[derive(Debug, Default)]
struct Counts {
    per_ip: HashMap<IpAddr, usize>,
    total: usize,
}

/// One counted connection or request; dropping it frees the place.
#[derive(Debug)]
pub(crate) struct Slot {
    connections: Arc<Connections>,
    ip: Option<IpAddr>,
    total: bool,
}

/// Token buckets keyed by client IP or origin.
#[derive(Debug)]
pub(crate) struct RateLimiter<K> {
    buckets: Mutex<HashMap<K, Bucket>>,
    /// Requests per minute, which is also the burst; 0 for no limit.
    per_minute: u32,
}

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// Lifecycle
impl Connections {
    /// Count connections with at most `per_ip` from one IP and `total` in all (0: no cap).
    pub(crate) fn new(per_ip: usize, total: usize) -> Arc<Self> {
        Arc::new(Connections {
            state: Mutex::new(Counts::default()),
            per_ip,
            total,
        })
    }
}

/// Mutation
impl Connections {
    /// Take a place for a connection: counted against `ip`'s cap if `ip` is given, and against
    /// the total cap if `total`.
    pub(crate) fn acquire(
        self: &Arc<Self>,
        ip: Option<IpAddr>,
        total: bool,
    ) -> Result<Slot, Refusal> {
        let mut counts = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if total && self.total != 0 && counts.total >= self.total {
            return Err(Refusal::Overloaded);
        }
        if let Some(ip) = ip {
            let count = counts.per_ip.entry(ip).or_insert(0);
            if self.per_ip != 0 && *count >= self.per_ip {
                return Err(Refusal::TooManyConnections);
            }
            *count += 1;
        }
        if total {
            counts.total += 1;
        }
        Ok(Slot {
            connections: Arc::clone(self),
            ip,
            total,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut counts = self
            .connections
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if self.total {
            counts.total = counts.total.saturating_sub(1);
        }
        if let Some(ip) = self.ip {
            if let Some(count) = counts.per_ip.get_mut(&ip) {
                *count = count.saturating_sub(1);
                if *count == 0 {
                    counts.per_ip.remove(&ip);
                }
            }
        }
    }
}

/// Lifecycle
impl<K: Hash + Eq + Clone> RateLimiter<K> {
    /// Allow `per_minute` requests per minute per key, in bursts of up to `per_minute`
    /// (0: no limit).
    pub(crate) fn new(per_minute: u32) -> Self {
        RateLimiter {
            buckets: Mutex::new(HashMap::new()),
            per_minute,
        }
    }
}

/// Mutation
impl<K: Hash + Eq + Clone> RateLimiter<K> {
    /// Take one token for `key`, or say how long until one is available.
    pub(crate) fn take(&self, key: &K, now: Instant) -> Result<(), Duration> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        if buckets.len() > MAX_IDLE_BUCKETS {
            buckets.retain(|_, bucket| {
                let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
                bucket.tokens + elapsed * per_second < capacity
            });
        }
        let bucket = buckets.entry(key.clone()).or_insert(Bucket {
            tokens: capacity,
            updated: now,
        });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_second).min(capacity);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / per_second))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::{net::IpAddr, time::Duration};

    use tokio::time::Instant;

    use crate::{
        connection::{Connections, RateLimiter},
        Refusal,
    };

    #[test]
    fn connection_caps() {
        let connections = Connections::new(2, 3);
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        let first = connections.acquire(Some(a), true).expect("first");
        let second = connections.acquire(Some(a), true).expect("second");
        assert_eq!(
            connections.acquire(Some(a), true).map(|_| ()),
            Err(Refusal::TooManyConnections)
        );
        let third = connections.acquire(Some(b), true).expect("another client");
        assert_eq!(
            connections.acquire(Some(b), true).map(|_| ()),
            Err(Refusal::Overloaded)
        );
        drop(first);
        let again = connections
            .acquire(Some(a), true)
            .expect("a place was freed");
        drop((second, third, again));
        assert!(connections
            .state
            .lock()
            .expect("not poisoned")
            .per_ip
            .is_empty());
    }

    #[test]
    fn token_bucket() {
        let limiter = RateLimiter::new(60);
        let start = Instant::now();
        for _ in 0..60 {
            limiter
                .take(&"o", start)
                .expect("the burst is the per-minute rate");
        }
        let wait = limiter.take(&"o", start).expect_err("the bucket is empty");
        assert!(
            wait <= Duration::from_secs(1),
            "one token per second: {wait:?}"
        );
        assert!(limiter.take(&"other", start).is_ok(), "buckets are per key");
        assert!(limiter
            .take(&"o", start + Duration::from_millis(1100))
            .is_ok());
    }
}
