//! The demo's third act: alice calls bob, and bob hands her on to carol (a blind
//! transfer, REFER). Bob hears how it goes from alice's NOTIFYs; alice ends up talking
//! to carol.

use session_core::{Call, CallEvent, State};

use super::{ALICE, BOB, CAROL, hears, peer};

pub async fn run() -> Result<(), String> {
    let (alice, bob, carol) = (peer(ALICE.name).await?, peer(BOB.name).await?, peer(CAROL.name).await?);
    let bob_uri = bob.uri();
    let answering = async {
        let call = bob.next_call().await.ok_or("bob stopped")?;
        call.play_tone(BOB.hz).map_err(|e| e.to_string())?;
        call.accept().await.map_err(|e| e.to_string())?;
        Ok::<_, String>(call)
    };
    let (to_bob, bobs) = tokio::join!(alice.call(&bob_uri), answering);
    let (to_bob, bobs) = (to_bob.map_err(|e| e.to_string())?, bobs?);
    to_bob.play_tone(ALICE.hz).map_err(|e| e.to_string())?;
    bobs.wait_for(State::Active).await;
    println!("alice: hears {}", hears(&to_bob).await?);

    let mut alices_news = to_bob.events().ok_or("alice's events were taken")?;
    let mut bobs_news = bobs.events().ok_or("bob's events were taken")?;
    println!("bob: transfers alice to {}", carol.uri());
    bobs.transfer(&carol.uri()).await.map_err(|e| e.to_string())?;

    let to_carol = loop {
        match alices_news.recv().await {
            Some(CallEvent::TransferRequested { target, new_call: Some(call) }) => {
                println!("alice: bob asks her to call {target}; calling");
                break call;
            }
            Some(_) => {}
            None => return Err("alice's call with bob ended before the transfer".into()),
        }
    };
    to_carol.play_tone(ALICE.hz).map_err(|e| e.to_string())?;
    let carols = carol.next_call().await.ok_or("carol stopped")?;
    println!("carol: incoming call from {}", carols.remote_uri());
    carols.play_tone(CAROL.hz).map_err(|e| e.to_string())?;
    carols.accept().await.map_err(|e| e.to_string())?;

    report_statuses(&mut bobs_news).await;
    println!("bob: call ended: {}", bobs.ended().await);
    println!("alice: first call ended: {}", to_bob.ended().await);
    to_carol.wait_for(State::Active).await;
    let (alice_hears, carol_hears) = tokio::join!(hears(&to_carol), hears(&carols));
    println!("alice: hears {}", alice_hears?);
    println!("carol: hears {}", carol_hears?);
    hang_up(&to_carol, &carols).await
}

/// Prints the transfer statuses bob learns by NOTIFY, up to the final one.
async fn report_statuses(news: &mut session_core::CallEvents) {
    while let Some(event) = news.recv().await {
        if let CallEvent::TransferStatus(code) = event {
            println!("bob: transfer status {code}");
            if code >= 200 {
                return;
            }
        }
    }
}

async fn hang_up(ours: &Call, theirs: &Call) -> Result<(), String> {
    ours.hangup().await.map_err(|e| e.to_string())?;
    println!("alice: hung up; carol's call ended: {}", theirs.ended().await);
    Ok(())
}
