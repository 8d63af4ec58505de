//! The demo's second act: a conference bridge ("room") calls alice, bob and carol and
//! puts the three calls into one conference; each hears the other two, never itself.
//! Then carol is taken out, and alice and bob hear only each other.

use session_core::{Call, ConferenceManager, SimplePeer, State};

use super::{EVERYONE, Party, hears, peer};

pub async fn run() -> Result<(), String> {
    let room = peer("room").await?;
    let mut legs = Vec::new(); // (the room's call, the party's call, the party's peer)
    for party in EVERYONE {
        let (ours, theirs, peer) = join(&room, party).await?;
        println!("room: {} answered", party.name);
        legs.push((ours, theirs, peer));
    }
    let conferences = ConferenceManager::new();
    let conference = conferences.create();
    for (ours, ..) in &legs {
        conferences.add_participant(conference, ours).map_err(|e| e.to_string())?;
    }
    println!("room: {conference} has alice, bob and carol");
    listen(&legs).await?;

    let (carol, ..) = &legs[2];
    conferences.remove_participant(conference, carol).map_err(|e| e.to_string())?;
    println!("room: carol taken out of {conference}");
    listen(&legs[..2]).await?;

    conferences.destroy(conference).map_err(|e| e.to_string())?;
    for (ours, theirs, _) in &legs {
        ours.hangup().await.map_err(|e| e.to_string())?;
        theirs.ended().await;
    }
    println!("room: conference over, every call hung up");
    Ok(())
}

/// The room calls `party`, which answers and sends its tone.
async fn join(room: &SimplePeer, party: Party) -> Result<(Call, Call, SimplePeer), String> {
    let callee = peer(party.name).await?;
    let uri = callee.uri();
    let answering = async {
        let call = callee.next_call().await.ok_or("the callee stopped")?;
        call.play_tone(party.hz).map_err(|e| e.to_string())?;
        call.accept().await.map_err(|e| e.to_string())?;
        Ok::<_, String>(call)
    };
    let (ours, theirs) = tokio::join!(room.call(&uri), answering);
    let (ours, theirs) = (ours.map_err(|e| e.to_string())?, theirs?);
    theirs.wait_for(State::Active).await;
    Ok((ours, theirs, callee))
}

/// Each party in `legs` says what it hears, all at once.
async fn listen(legs: &[(Call, Call, SimplePeer)]) -> Result<(), String> {
    let listening: Vec<_> = legs
        .iter()
        .map(|(_, theirs, _)| {
            let call = theirs.clone();
            tokio::spawn(async move { hears(&call).await })
        })
        .collect();
    for (party, listening) in EVERYONE.iter().zip(listening) {
        println!("{}: hears {}", party.name, listening.await.map_err(|e| e.to_string())??);
    }
    Ok(())
}
