//! What `simplepeer call` does in each call and when, counted from the answer; checked
//! before anything is sent, so that a mistake costs no call.

use std::time::Duration;

/// When each call sends its DTMF after the answer.
pub const DTMF_AFTER: Duration = Duration::from_millis(500);

/// When each call does what, after its answer.
#[derive(Clone, Debug)]
pub struct Plan {
    /// How long the call lasts before we hang up.
    pub talk: Duration,
    /// Digits to send at [`DTMF_AFTER`].
    pub dtmf: Option<String>,
    /// When to put the peer on hold, and for how long.
    pub hold: Option<(Duration, Duration)>,
    /// Whom to transfer the peer to, and when.
    pub transfer: Option<(String, Duration)>,
}

/// The options the plan is made of, as given.
pub struct Options<'a> {
    pub duration: f64,
    pub dtmf: Option<&'a str>,
    pub hold_after: Option<f64>,
    pub hold_for: f64,
    pub transfer_to: Option<&'a str>,
    pub transfer_after: f64,
}

impl Plan {
    /// The plan, or what is wrong with the options and how to put it right.
    pub fn new(options: &Options<'_>) -> Result<Plan, String> {
        let talk = seconds("--duration", options.duration)?;
        let dtmf = match options.dtmf {
            Some(digits) => {
                session_core::check_dtmf(digits).map_err(|e| format!("--dtmf: {e}"))?;
                ends_in_time("--dtmf (sent 0.5 s after the answer)", DTMF_AFTER, talk)?;
                Some(digits.to_owned())
            }
            None => None,
        };
        let hold = match options.hold_after {
            Some(after) => {
                let (after, length) =
                    (seconds("--hold-after", after)?, seconds("--hold-for", options.hold_for)?);
                ends_in_time("--hold-after plus --hold-for", after + length, talk)?;
                Some((after, length))
            }
            None => None,
        };
        let transfer = match options.transfer_to {
            Some(target) => {
                session_core::check_target(target).map_err(|e| format!("--transfer-to: {e}"))?;
                let after = seconds("--transfer-after", options.transfer_after)?;
                ends_in_time("--transfer-after", after, talk)?;
                if let Some((hold, length)) = hold
                    && (hold..=hold + length).contains(&after)
                {
                    return Err(format!(
                        "--transfer-after {} falls while the peer is on hold ({} to {}); a held call \
                         cannot be transferred, so move one of them",
                        secs(after),
                        secs(hold),
                        secs(hold + length)
                    ));
                }
                Some((target.to_owned(), after))
            }
            None => None,
        };
        Ok(Plan { talk, dtmf, hold, transfer })
    }
}

/// `value` seconds as a duration, or why it is not one.
pub fn seconds(flag: &str, value: f64) -> Result<Duration, String> {
    Duration::try_from_secs_f64(value)
        .map_err(|_| format!("{flag} {value} is not a number of seconds; give a value of 0 or more"))
}

/// A count of 1 or more, for clap: `--calls`, `--max-calls`.
pub fn at_least_one(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("must be 1 or more".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("`{text}` is not a whole number; give 1 or more")),
    }
}

/// A duration for people: `2.5 s`, `250 ms`.
pub fn secs(duration: Duration) -> String {
    if duration < Duration::from_secs(1) && !duration.is_zero() {
        format!("{} ms", duration.as_millis())
    } else {
        let text = format!("{:.1}", duration.as_secs_f64());
        format!("{} s", text.strip_suffix(".0").unwrap_or(&text))
    }
}

fn ends_in_time(what: &str, at: Duration, talk: Duration) -> Result<(), String> {
    if at < talk {
        return Ok(());
    }
    Err(format!(
        "{what} ({}) does not end before the call does (--duration {}); make --duration longer",
        secs(at),
        secs(talk)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> Options<'static> {
        Options {
            duration: 4.0,
            dtmf: None,
            hold_after: None,
            hold_for: 1.0,
            transfer_to: None,
            transfer_after: 1.0,
        }
    }

    #[test]
    fn a_hold_that_outlasts_the_call_is_refused() {
        let error = Plan::new(&Options { hold_after: Some(3.5), ..options() }).unwrap_err();
        assert!(error.contains("--hold-after plus --hold-for (4.5 s)"), "{error}");
        assert!(Plan::new(&Options { hold_after: Some(2.5), ..options() }).is_ok());
    }

    #[test]
    fn digits_outside_the_dtmf_set_are_named() {
        let error = Plan::new(&Options { dtmf: Some("12X4"), ..options() }).unwrap_err();
        assert!(error.contains("'X' is not a DTMF digit"), "{error}");
        assert!(Plan::new(&Options { dtmf: Some("0123456789*#abcd"), ..options() }).is_ok());
    }

    #[test]
    fn a_transfer_while_on_hold_is_refused() {
        let held =
            Options { hold_after: Some(1.0), transfer_to: Some("sip:carol@127.0.0.1:5062"), ..options() };
        let error = Plan::new(&Options { transfer_after: 1.5, ..held }).unwrap_err();
        assert!(error.contains("falls while the peer is on hold"), "{error}");
    }

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(secs(Duration::from_millis(2500)), "2.5 s");
        assert_eq!(secs(Duration::from_secs(2)), "2 s");
        assert_eq!(secs(Duration::from_millis(250)), "250 ms");
    }
}
