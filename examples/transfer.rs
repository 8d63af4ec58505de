//! Blind and attended transfer in one process: `cargo run --example transfer`.
//!
//! Three peers on loopback, each sending its own tone: alice (440 Hz), bob (1000 Hz)
//! and carol (700 Hz). Each act starts with alice calling bob and ends with alice
//! talking to carol; the tones each call receives show who hears whom.
//!
//! - Blind: bob sends alice a REFER to carol's URI. Alice calls carol and reports
//!   how it goes by NOTIFY (100 Trying, then 200 OK); bob hangs up on the 200.
//! - Attended: bob first calls carol himself (the consultation), then sends alice a
//!   REFER whose target carries `Replaces` for his call with carol. Alice's new call
//!   takes the place of bob's consultation at carol's end, without ringing; both of
//!   bob's calls end.

use std::time::Duration;

use session_core::media::goertzel;
use session_core::{Call, CallEvent, CallEvents, SimplePeer, State};

type Error = Box<dyn std::error::Error + Send + Sync>;

/// Who takes part, and the tone each sends so that the others can tell it apart.
#[derive(Clone, Copy)]
struct Party {
    name: &'static str,
    hz: f64,
}

const ALICE: Party = Party { name: "alice", hz: 440.0 };
const BOB: Party = Party { name: "bob", hz: 1000.0 };
const CAROL: Party = Party { name: "carol", hz: 700.0 };

/// Goertzel power above which a tone counts as heard: a tone at the library's
/// amplitude gives about (16000 / 2)², silence and codec noise well under this.
const HEARD: f64 = 1.0e6;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let alice = peer(ALICE).await?;
    let bob = peer(BOB).await?;
    let carol = peer(CAROL).await?;

    println!("== blind transfer");
    blind(&alice, &bob, &carol).await?;
    println!("\n== attended transfer");
    attended(&alice, &bob, &carol).await?;
    Ok(())
}

/// Bob hands alice on to carol's URI; alice places the new call.
async fn blind(alice: &SimplePeer, bob: &SimplePeer, carol: &SimplePeer) -> Result<(), Error> {
    let (alice_bob, bob_alice) = connect((alice, ALICE), (bob, BOB)).await?;
    let mut alices_news = alice_bob.events().ok_or("alice's events were taken")?;
    let mut bobs_news = bob_alice.events().ok_or("bob's events were taken")?;

    println!("bob: transfers alice to {}", carol.uri());
    bob_alice.transfer(&carol.uri()).await?;
    let alice_carol = new_call(&mut alices_news).await?;
    alice_carol.play_tone(ALICE.hz)?;
    let carol_alice = carol.next_call().await.ok_or("carol stopped")?;
    println!("carol: a call from {}; answers", carol_alice.remote_uri());
    carol_alice.play_tone(CAROL.hz)?;
    carol_alice.accept().await?;

    statuses(&mut bobs_news).await;
    println!("bob: his call with alice ended: {}", bob_alice.ended().await);
    println!("alice: her call with bob ended: {}", alice_bob.ended().await);
    talk((&alice_carol, ALICE), (&carol_alice, CAROL)).await
}

/// Bob consults carol, then has alice's call replace his call with carol.
async fn attended(alice: &SimplePeer, bob: &SimplePeer, carol: &SimplePeer) -> Result<(), Error> {
    let (alice_bob, bob_alice) = connect((alice, ALICE), (bob, BOB)).await?;
    println!("bob: calls carol to ask whether she will take alice");
    let (bob_carol, carol_bob) = connect((bob, BOB), (carol, CAROL)).await?;
    let mut alices_news = alice_bob.events().ok_or("alice's events were taken")?;
    let mut bobs_news = bob_alice.events().ok_or("bob's events were taken")?;

    println!("bob: transfers alice to carol, replacing his call with her");
    bob_alice.transfer_to(&bob_carol).await?;
    let alice_carol = new_call(&mut alices_news).await?;
    alice_carol.play_tone(ALICE.hz)?;
    let carol_alice = carol.next_call().await.ok_or("carol stopped")?;
    carol_alice.play_tone(CAROL.hz)?;
    // The INVITE with Replaces matched carol's call with bob: it is answered at once,
    // with no one at carol's end to accept it.
    carol_alice.wait_for(State::Active).await;
    println!("carol: {} replaced bob's call, answered at once", carol_alice.remote_uri());

    statuses(&mut bobs_news).await;
    println!("bob: his call with alice ended: {}", bob_alice.ended().await);
    println!("bob: his call with carol ended: {}", bob_carol.ended().await);
    println!("carol: her call with bob ended: {}", carol_bob.ended().await);
    println!("alice: her call with bob ended: {}", alice_bob.ended().await);
    talk((&alice_carol, ALICE), (&carol_alice, CAROL)).await
}

/// A peer on a free loopback port, with its name as the user part of its URI.
async fn peer(party: Party) -> Result<SimplePeer, Error> {
    Ok(SimplePeer::builder("127.0.0.1:0")?.user(party.name).start().await?)
}

/// `from` calls `to`, which answers; both send their tones and say what they hear.
async fn connect(from: (&SimplePeer, Party), to: (&SimplePeer, Party)) -> Result<(Call, Call), Error> {
    let ((caller, caller_party), (callee, callee_party)) = (from, to);
    let uri = callee.uri();
    let answering = async {
        let call = callee.next_call().await.ok_or("the callee stopped")?;
        call.play_tone(callee_party.hz)?;
        call.accept().await?;
        Ok::<_, Error>(call)
    };
    let (outgoing, incoming) = tokio::join!(caller.call(&uri), answering);
    let (outgoing, incoming) = (outgoing?, incoming?);
    outgoing.play_tone(caller_party.hz)?;
    incoming.wait_for(State::Active).await;
    println!("{}: called {}, answered", caller_party.name, callee_party.name);
    let (caller_hears, callee_hears) = tokio::join!(hears(&outgoing), hears(&incoming));
    println!("  {} hears {}", caller_party.name, caller_hears?);
    println!("  {} hears {}", callee_party.name, callee_hears?);
    Ok((outgoing, incoming))
}

/// The call the transferee places on the REFER, as its events report it.
async fn new_call(news: &mut CallEvents) -> Result<Call, Error> {
    while let Some(event) = news.recv().await {
        if let CallEvent::TransferRequested { target, new_call } = event {
            println!("alice: asked to call {target}; calling");
            return new_call.ok_or_else(|| "alice did not place the call".into());
        }
    }
    Err("alice's call with bob ended before any REFER".into())
}

/// Prints the transfer statuses the transferor learns by NOTIFY, up to the final one.
async fn statuses(news: &mut CallEvents) {
    while let Some(event) = news.recv().await {
        if let CallEvent::TransferStatus(code) = event {
            println!("bob: transfer status {code} (by NOTIFY)");
            if code >= 200 {
                return;
            }
        }
    }
}

/// Both ends of the transferred call say what they hear, then alice hangs up.
async fn talk(alice: (&Call, Party), carol: (&Call, Party)) -> Result<(), Error> {
    alice.0.wait_for(State::Active).await;
    let (alice_hears, carol_hears) = tokio::join!(hears(alice.0), hears(carol.0));
    println!("  {} hears {}", alice.1.name, alice_hears?);
    println!("  {} hears {}", carol.1.name, carol_hears?);
    alice.0.hangup().await?;
    println!("alice: hung up; carol's call ended: {}", carol.0.ended().await);
    Ok(())
}

/// Whose tones half a second of the call's audio holds, e.g. "bob (1000 Hz)".
async fn hears(call: &Call) -> Result<String, Error> {
    let mut audio = call.audio()?;
    let samples = audio
        .capture(Duration::from_millis(700), Duration::from_secs(5))
        .await
        .ok_or("the call's audio stopped")?;
    // The first 200 ms may still be audio from before the step, in flight and buffered.
    let samples = &samples[samples.len() * 2 / 7..];
    let heard: Vec<String> = [ALICE, BOB, CAROL]
        .iter()
        .filter(|party| goertzel(samples, party.hz, 8000) > HEARD)
        .map(|party| format!("{} ({} Hz)", party.name, party.hz))
        .collect();
    Ok(if heard.is_empty() { "nothing".into() } else { heard.join(" and ") })
}
