//! Which origins (scheme, host and port) answered or failed to connect lately, so that work
//! bound to fail is not started. Browsing offline puts a screen of tiles in view whose thumbnails
//! all come from one unreachable server; without this, every tile would pay its own connection
//! attempt, and every video tile an ffmpeg process, on the machine's few cores, while the user
//! types. After a failure the origin is refused at once until a back-off has passed (5 s,
//! doubling to 2 min while it keeps failing); then callers may try again (as many at once as the
//! caller runs workers, the first failure refusing the rest), and one answer forgets the
//! failures. An answer is also remembered for a minute, so a check before costly work costs a
//! request once per origin, not once per item. Knows nothing of assets.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The first wait after a failure; it doubles with each further failure.
const FIRST_BACKOFF: Duration = Duration::from_secs(5);
/// The longest wait between two tries of an origin that keeps failing.
const MOST_BACKOFF: Duration = Duration::from_secs(120);
/// How long an answer vouches for its origin.
const ANSWER_HOLDS: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReachabilityError {
    #[error("{origin} did not answer; it is tried again in {retry_in_s} s")]
    Unreachable { origin: String, retry_in_s: u64 },
    #[error("{url} is not an address with a host")]
    NoOrigin { url: String },
}

/// What the caller may do about an origin.
#[derive(Debug, PartialEq, Eq)]
pub enum Permit {
    /// It answered within the last minute: costly work can go straight ahead.
    Answered,
    /// Not known, or its back-off is over: the caller's own attempt finds out.
    Try,
}

#[derive(Debug, Clone, Copy)]
enum Known {
    Answered {
        at: Instant,
    },
    /// Refused until `until`; `backoff` is the wait that was set after the last failure.
    Failing {
        until: Instant,
        backoff: Duration,
    },
}

#[derive(Debug, Default)]
pub struct Reachability {
    origins: Mutex<HashMap<String, Known>>,
}

/// `scheme://host:port` of `url`, the unit that answers or not.
pub fn origin_of(url: &str) -> Result<String, ReachabilityError> {
    let no_origin = || ReachabilityError::NoOrigin {
        url: url.to_owned(),
    };
    let parsed = reqwest::Url::parse(url).map_err(|_| no_origin())?;
    let origin = parsed.origin();
    if !origin.is_tuple() {
        return Err(no_origin());
    }
    Ok(origin.ascii_serialization())
}

impl Reachability {
    pub fn new() -> Reachability {
        Reachability::default()
    }

    /// May work that needs `origin` start now? Refused while its back-off runs.
    pub fn permit(&self, origin: &str) -> Result<Permit, ReachabilityError> {
        self.permit_at(origin, Instant::now())
    }

    /// The origin answered (whatever the status: it is reachable).
    pub fn answered(&self, origin: &str) {
        self.answered_at(origin, Instant::now());
    }

    /// Connecting to the origin failed (refused, timed out, no route, no name).
    pub fn failed(&self, origin: &str) {
        self.failed_at(origin, Instant::now());
    }

    /// Forgets every failure: the caller knows the network is back (an account synced again).
    pub fn forget_failures(&self) {
        if let Ok(mut origins) = self.origins.lock() {
            origins.retain(|_, known| matches!(known, Known::Answered { .. }));
        }
    }

    fn permit_at(&self, origin: &str, now: Instant) -> Result<Permit, ReachabilityError> {
        let Ok(origins) = self.origins.lock() else {
            return Ok(Permit::Try);
        };
        match origins.get(origin) {
            None => Ok(Permit::Try),
            Some(Known::Answered { at }) if now.duration_since(*at) < ANSWER_HOLDS => {
                Ok(Permit::Answered)
            }
            Some(Known::Answered { .. }) => Ok(Permit::Try),
            Some(Known::Failing { until, .. }) if now < *until => {
                Err(ReachabilityError::Unreachable {
                    origin: origin.to_owned(),
                    retry_in_s: until.duration_since(now).as_secs().max(1),
                })
            }
            Some(Known::Failing { .. }) => Ok(Permit::Try),
        }
    }

    fn answered_at(&self, origin: &str, now: Instant) {
        if let Ok(mut origins) = self.origins.lock() {
            origins.insert(origin.to_owned(), Known::Answered { at: now });
        }
    }

    fn failed_at(&self, origin: &str, now: Instant) {
        let Ok(mut origins) = self.origins.lock() else {
            return;
        };
        let backoff = match origins.get(origin) {
            // Attempts started together fail together: one failure, not one doubling each.
            Some(Known::Failing { until, .. }) if now < *until => return,
            Some(Known::Failing { backoff, .. }) => (*backoff * 2).min(MOST_BACKOFF),
            _ => FIRST_BACKOFF,
        };
        tracing::debug!(origin, backoff_s = backoff.as_secs(), "origin unreachable");
        origins.insert(
            origin.to_owned(),
            Known::Failing {
                until: now + backoff,
                backoff,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORIGIN: &str = "http://127.0.0.1:9";

    fn retry_in(result: Result<Permit, ReachabilityError>) -> u64 {
        match result {
            Err(ReachabilityError::Unreachable { retry_in_s, .. }) => retry_in_s,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn an_unknown_origin_is_tried() {
        assert_eq!(Reachability::new().permit(ORIGIN), Ok(Permit::Try));
    }

    #[test]
    fn a_failure_refuses_the_origin_until_its_backoff_has_passed() {
        let reach = Reachability::new();
        let start = Instant::now();
        reach.failed_at(ORIGIN, start);
        assert_eq!(retry_in(reach.permit_at(ORIGIN, start)), 5);
        assert_eq!(
            retry_in(reach.permit_at(ORIGIN, start + Duration::from_secs(3))),
            2
        );
        // Other origins are not affected.
        assert_eq!(
            reach.permit_at("http://127.0.0.1:10", start),
            Ok(Permit::Try)
        );
        // Past the back-off it is tried again.
        let later = start + Duration::from_secs(5);
        assert_eq!(reach.permit_at(ORIGIN, later), Ok(Permit::Try));
    }

    #[test]
    fn the_backoff_doubles_while_failing_up_to_two_minutes() {
        let reach = Reachability::new();
        let mut now = Instant::now();
        let mut waits = Vec::new();
        for _ in 0..8 {
            reach.failed_at(ORIGIN, now);
            waits.push(retry_in(reach.permit_at(ORIGIN, now)));
            now += Duration::from_secs(waits[waits.len() - 1]);
            assert_eq!(reach.permit_at(ORIGIN, now), Ok(Permit::Try));
        }
        assert_eq!(waits, [5, 10, 20, 40, 80, 120, 120, 120]);
    }

    #[test]
    fn failures_of_attempts_made_together_count_once() {
        let reach = Reachability::new();
        let start = Instant::now();
        for _ in 0..10 {
            reach.failed_at(ORIGIN, start);
        }
        assert_eq!(retry_in(reach.permit_at(ORIGIN, start)), 5);
    }

    #[test]
    fn an_answer_forgets_the_failures_and_vouches_for_a_minute() {
        let reach = Reachability::new();
        let start = Instant::now();
        reach.failed_at(ORIGIN, start);
        reach.answered_at(ORIGIN, start + Duration::from_secs(1));
        assert_eq!(
            reach.permit_at(ORIGIN, start + Duration::from_secs(2)),
            Ok(Permit::Answered)
        );
        assert_eq!(
            reach.permit_at(ORIGIN, start + Duration::from_secs(62)),
            Ok(Permit::Try)
        );
        // Failing again starts from the first back-off.
        reach.failed_at(ORIGIN, start + Duration::from_secs(62));
        assert_eq!(
            retry_in(reach.permit_at(ORIGIN, start + Duration::from_secs(62))),
            5
        );
    }

    #[test]
    fn forgetting_failures_lets_every_origin_be_tried_again() {
        let reach = Reachability::new();
        reach.failed(ORIGIN);
        reach.answered("http://127.0.0.1:10");
        reach.forget_failures();
        assert_eq!(reach.permit(ORIGIN), Ok(Permit::Try));
        assert_eq!(reach.permit("http://127.0.0.1:10"), Ok(Permit::Answered));
    }

    #[test]
    fn origins_are_scheme_host_and_port() {
        assert_eq!(
            origin_of("http://127.0.0.1:9/files/a.mp4?x=1").as_deref(),
            Ok("http://127.0.0.1:9")
        );
        assert_eq!(
            origin_of("https://cdn.example.com/a.jpg").as_deref(),
            Ok("https://cdn.example.com")
        );
        for bad in ["not a url", "data:image/png;base64,AAAA", ""] {
            assert_eq!(
                origin_of(bad),
                Err(ReachabilityError::NoOrigin {
                    url: bad.to_owned()
                })
            );
        }
    }
}
