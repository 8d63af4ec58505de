//! The location stores' contract, run against each store: the memory one, and Redis
//! (a `redis-server` of the test's own on a loopback port), where two stores on one
//! Redis stand for two nodes.

mod common;

use common::redis_server::RedisServer;
use session_runtime::location::{
    Binding, BindingChange, LocationAnswer, LocationJob, LocationStore, MemoryStore, NonceUse, RedisStore,
};

const AOR: &str = "sip:alice@example.com";
/// The jobs' clock, in Unix seconds.
const NOW: u64 = 1_700_000_000;

fn binding(contact: &str, expires_at: u64) -> Binding {
    Binding {
        contact: contact.into(),
        source: "127.0.0.1:5062".parse().unwrap(),
        expires_at,
        call_id: format!("call-{contact}"),
        cseq: 1,
    }
}

fn nonce(nc: u32) -> Option<NonceUse> {
    Some(NonceUse { nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093".into(), nc, expires_at: NOW + 300 })
}

async fn register(store: &dyn LocationStore, changes: Vec<BindingChange>, now: u64) -> LocationAnswer {
    store.run(LocationJob::Register { aor: AOR.into(), changes, nonce: None, now }).await
}

async fn lookup(store: &dyn LocationStore, now: u64) -> LocationAnswer {
    store.run(LocationJob::Lookup { aor: AOR.into(), nonce: None, now }).await
}

fn upsert(contact: &str, expires_at: u64) -> BindingChange {
    BindingChange::Upsert(binding(contact, expires_at))
}

fn remove(contact: &str) -> BindingChange {
    BindingChange::Remove { contact: contact.into() }
}

fn bindings(list: &[Binding]) -> LocationAnswer {
    LocationAnswer::Bindings(list.to_vec())
}

async fn a_registered_binding_is_answered_and_looked_up(store: &dyn LocationStore) {
    let a = binding("sip:alice@127.0.0.1:5062", NOW + 3600);
    assert_eq!(
        register(store, vec![BindingChange::Upsert(a.clone())], NOW).await,
        bindings(std::slice::from_ref(&a))
    );
    assert_eq!(lookup(store, NOW + 1).await, bindings(&[a]));
    let other = LocationJob::Lookup { aor: "sip:bob@example.com".into(), nonce: None, now: NOW };
    assert_eq!(store.run(other).await, bindings(&[]), "another AoR has none");
}

async fn several_contacts_are_kept_and_a_refresh_replaces_its_own(store: &dyn LocationStore) {
    let (b, c, a) = ("sip:b@127.0.0.1", "sip:c@127.0.0.1", "sip:a@127.0.0.1");
    register(store, vec![upsert(b, NOW + 60), upsert(c, NOW + 60)], NOW).await;
    let answer = register(store, vec![upsert(a, NOW + 60)], NOW).await;
    assert_eq!(answer, bindings(&[binding(a, NOW + 60), binding(b, NOW + 60), binding(c, NOW + 60)]));
    let refreshed = Binding { cseq: 2, expires_at: NOW + 120, ..binding(b, 0) };
    let answer = register(store, vec![BindingChange::Upsert(refreshed.clone())], NOW + 10).await;
    assert_eq!(answer, bindings(&[binding(a, NOW + 60), refreshed, binding(c, NOW + 60)]));
}

async fn removing_one_contact_keeps_the_others(store: &dyn LocationStore) {
    let (a, b) = ("sip:a@127.0.0.1", "sip:b@127.0.0.1");
    register(store, vec![upsert(a, NOW + 60), upsert(b, NOW + 60)], NOW).await;
    assert_eq!(register(store, vec![remove(a)], NOW).await, bindings(&[binding(b, NOW + 60)]));
    assert_eq!(lookup(store, NOW).await, bindings(&[binding(b, NOW + 60)]));
    assert_eq!(
        register(store, vec![remove("sip:never@127.0.0.1")], NOW).await,
        bindings(&[binding(b, NOW + 60)])
    );
}

async fn removing_all_leaves_none(store: &dyn LocationStore) {
    let (a, b) = ("sip:a@127.0.0.1", "sip:b@127.0.0.1");
    register(store, vec![upsert(a, NOW + 60), upsert(b, NOW + 60)], NOW).await;
    assert_eq!(register(store, vec![BindingChange::RemoveAll], NOW).await, bindings(&[]));
    assert_eq!(lookup(store, NOW).await, bindings(&[]));
}

async fn changes_apply_in_order(store: &dyn LocationStore) {
    let (a, b) = ("sip:a@127.0.0.1", "sip:b@127.0.0.1");
    assert_eq!(register(store, vec![upsert(a, NOW + 60), remove(a)], NOW).await, bindings(&[]));
    assert_eq!(
        register(store, vec![remove(a), upsert(a, NOW + 60)], NOW).await,
        bindings(&[binding(a, NOW + 60)])
    );
    let answer = register(store, vec![BindingChange::RemoveAll, upsert(b, NOW + 60)], NOW).await;
    assert_eq!(answer, bindings(&[binding(b, NOW + 60)]), "RemoveAll then a new binding keeps the new one");
}

async fn bindings_expire_by_the_jobs_clock(store: &dyn LocationStore) {
    let (short, long) = ("sip:short@127.0.0.1", "sip:long@127.0.0.1");
    register(store, vec![upsert(short, NOW + 100), upsert(long, NOW + 200)], NOW).await;
    let both = bindings(&[binding(long, NOW + 200), binding(short, NOW + 100)]);
    assert_eq!(lookup(store, NOW + 99).await, both);
    assert_eq!(lookup(store, NOW + 100).await, bindings(&[binding(long, NOW + 200)]), "gone at expires_at");
    let answer = register(store, vec![upsert("sip:new@127.0.0.1", NOW + 500)], NOW + 200).await;
    assert_eq!(
        answer,
        bindings(&[binding("sip:new@127.0.0.1", NOW + 500)]),
        "a register drops the expired too"
    );
    let stale = register(store, vec![upsert(short, NOW + 300)], NOW + 300).await;
    assert_eq!(
        stale,
        bindings(&[binding("sip:new@127.0.0.1", NOW + 500)]),
        "a binding expired on arrival is not kept"
    );
}

async fn a_nonce_count_not_above_the_last_is_a_replay_and_changes_nothing(store: &dyn LocationStore) {
    let a = "sip:a@127.0.0.1";
    let job = |changes, nc| LocationJob::Register { aor: AOR.into(), changes, nonce: nonce(nc), now: NOW };
    assert_eq!(store.run(job(vec![upsert(a, NOW + 60)], 1)).await, bindings(&[binding(a, NOW + 60)]));
    assert_eq!(store.run(job(vec![BindingChange::RemoveAll], 1)).await, LocationAnswer::Replayed);
    assert_eq!(lookup(store, NOW).await, bindings(&[binding(a, NOW + 60)]), "the replay removed nothing");
    assert_eq!(store.run(job(vec![], 3)).await, bindings(&[binding(a, NOW + 60)]), "a count may skip");
    assert_eq!(store.run(job(vec![BindingChange::RemoveAll], 2)).await, LocationAnswer::Replayed);
    let look = |nc| LocationJob::Lookup { aor: AOR.into(), nonce: nonce(nc), now: NOW };
    assert_eq!(store.run(look(3)).await, LocationAnswer::Replayed, "a lookup checks the nonce too");
    assert_eq!(store.run(look(4)).await, bindings(&[binding(a, NOW + 60)]));
    let other = NonceUse { nonce: "another".into(), nc: 1, expires_at: NOW + 300 };
    let fresh = LocationJob::Lookup { aor: AOR.into(), nonce: Some(other), now: NOW };
    assert_eq!(store.run(fresh).await, bindings(&[binding(a, NOW + 60)]), "each nonce counts on its own");
}

/// Two stores (two nodes, or one store twice) race the same nonce count: one wins.
async fn racing_uses_of_one_count_accept_one(first: &dyn LocationStore, second: &dyn LocationStore) {
    let job = |i: u32| LocationJob::Register {
        aor: AOR.into(),
        changes: vec![upsert(&format!("sip:{i}@127.0.0.1"), NOW + 60)],
        nonce: nonce(7),
        now: NOW,
    };
    let tasks: Vec<_> =
        (0..16).map(|i| tokio::spawn((if i % 2 == 0 { first } else { second }).run(job(i)))).collect();
    let mut accepted = Vec::new();
    for (i, task) in tasks.into_iter().enumerate() {
        match task.await.unwrap() {
            LocationAnswer::Bindings(list) => accepted.push((i, list)),
            LocationAnswer::Replayed => {}
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(accepted.len(), 1, "exactly one use of nc 7 is accepted: {accepted:?}");
    let (i, list) = &accepted[0];
    assert_eq!(list, &[binding(&format!("sip:{i}@127.0.0.1"), NOW + 60)], "and only its change was made");
}

async fn racing_in_one_store(store: &dyn LocationStore) {
    racing_uses_of_one_count_accept_one(store, store).await;
}

/// Each behaviour as a test per store.
macro_rules! for_each_store {
    ($($behaviour:ident),* $(,)?) => {
        mod memory_store {
            $(
                #[tokio::test]
                async fn $behaviour() {
                    super::$behaviour(&super::MemoryStore::new()).await;
                }
            )*
        }
        mod redis_store {
            $(
                #[tokio::test]
                async fn $behaviour() {
                    let server = super::RedisServer::start();
                    super::$behaviour(&super::connect(&server).await).await;
                }
            )*
        }
    };
}

for_each_store!(
    a_registered_binding_is_answered_and_looked_up,
    several_contacts_are_kept_and_a_refresh_replaces_its_own,
    removing_one_contact_keeps_the_others,
    removing_all_leaves_none,
    changes_apply_in_order,
    bindings_expire_by_the_jobs_clock,
    a_nonce_count_not_above_the_last_is_a_replay_and_changes_nothing,
    racing_in_one_store,
);

async fn connect(server: &RedisServer) -> RedisStore {
    RedisStore::connect(&server.url()).await.expect("the test's redis-server answers")
}

#[test]
fn the_memory_store_answers_without_a_task() {
    let job = LocationJob::Register {
        aor: AOR.into(),
        changes: vec![upsert("sip:a@h", NOW + 1)],
        nonce: None,
        now: NOW,
    };
    let answer = session_runtime::location::run_now(MemoryStore::new().run(job));
    assert_eq!(answer.ok(), Some(bindings(&[binding("sip:a@h", NOW + 1)])));
}

#[tokio::test]
async fn the_memory_store_forgets_a_nonce_at_its_expiry() {
    let store = MemoryStore::new();
    let at = |now| LocationJob::Lookup { aor: AOR.into(), nonce: nonce(1), now };
    assert_eq!(store.run(at(NOW)).await, bindings(&[]));
    assert_eq!(store.run(at(NOW + 299)).await, LocationAnswer::Replayed);
    assert_eq!(store.run(at(NOW + 300)).await, bindings(&[]), "the record lapsed at expires_at");
}

#[tokio::test]
async fn two_nodes_on_one_redis_share_bindings() {
    let server = RedisServer::start();
    let (one, two) = (connect(&server).await, connect(&server).await);
    let (a, b) = ("sip:a@127.0.0.1", "sip:b@127.0.0.1");
    register(&one, vec![upsert(a, NOW + 60)], NOW).await;
    register(&two, vec![upsert(b, NOW + 60)], NOW).await;
    let both = bindings(&[binding(a, NOW + 60), binding(b, NOW + 60)]);
    assert_eq!(lookup(&one, NOW).await, both);
    assert_eq!(lookup(&two, NOW).await, both);
    register(&two, vec![remove(a)], NOW).await;
    assert_eq!(
        lookup(&one, NOW).await,
        bindings(&[binding(b, NOW + 60)]),
        "node one sees node two's removal"
    );
}

#[tokio::test]
async fn two_nodes_on_one_redis_share_nonce_counts() {
    let server = RedisServer::start();
    let (one, two) = (connect(&server).await, connect(&server).await);
    let look = |nc| LocationJob::Lookup { aor: AOR.into(), nonce: nonce(nc), now: NOW };
    assert_eq!(one.run(look(1)).await, bindings(&[]));
    assert_eq!(two.run(look(1)).await, LocationAnswer::Replayed, "node two refuses what node one accepted");
    assert_eq!(two.run(look(2)).await, bindings(&[]));
    assert_eq!(one.run(look(2)).await, LocationAnswer::Replayed);
}

#[tokio::test]
async fn two_nodes_racing_one_nonce_count_accept_it_once() {
    let server = RedisServer::start();
    racing_uses_of_one_count_accept_one(&connect(&server).await, &connect(&server).await).await;
}

#[tokio::test]
async fn a_binding_expires_for_both_nodes() {
    let server = RedisServer::start();
    let (one, two) = (connect(&server).await, connect(&server).await);
    let a = "sip:a@127.0.0.1";
    register(&one, vec![upsert(a, NOW + 10)], NOW).await;
    assert_eq!(lookup(&two, NOW + 9).await, bindings(&[binding(a, NOW + 10)]));
    assert_eq!(lookup(&two, NOW + 10).await, bindings(&[]), "expired for node two");
    assert_eq!(lookup(&one, NOW + 10).await, bindings(&[]), "and for node one");
}

#[tokio::test]
async fn redis_forgets_lapsed_aors_and_nonces_by_itself() {
    let server = RedisServer::start();
    let store = connect(&server).await;
    register(&store, vec![upsert("sip:a@h", NOW + 60), upsert("sip:b@h", NOW + 90)], NOW).await;
    store.run(LocationJob::Lookup { aor: AOR.into(), nonce: nonce(1), now: NOW + 100 }).await;
    let client = redis::Client::open(server.url()).unwrap();
    let mut raw = client.get_multiplexed_async_connection().await.unwrap();
    let ttl = |key: String| redis::cmd("TTL").arg(key).clone();
    let aor_ttl: i64 = ttl(format!("loc:{AOR}")).query_async(&mut raw).await.unwrap();
    assert_eq!(aor_ttl, -2, "the AoR's key went with its last binding");
    register(&store, vec![upsert("sip:a@h", NOW + 60), upsert("sip:b@h", NOW + 90)], NOW).await;
    let aor_ttl: i64 = ttl(format!("loc:{AOR}")).query_async(&mut raw).await.unwrap();
    assert!((80..=90).contains(&aor_ttl), "the AoR's key lives as long as its longest binding: {aor_ttl}");
    let nonce_ttl: i64 = ttl(format!("nc:{}", nonce(1).unwrap().nonce)).query_async(&mut raw).await.unwrap();
    assert!((190..=200).contains(&nonce_ttl), "the nonce's count lives until the nonce lapses: {nonce_ttl}");
}

#[tokio::test]
async fn a_redis_that_went_away_fails_the_job_and_says_so() {
    let mut server = RedisServer::start();
    let store = connect(&server).await;
    server.stop();
    let answer = tokio::time::timeout(std::time::Duration::from_secs(30), lookup(&store, NOW))
        .await
        .expect("a failed job answers, it does not hang");
    let LocationAnswer::Failed(message) = answer else { panic!("{answer:?}") };
    assert!(message.contains("Redis at 127.0.0.1:"), "{message}");
}

#[tokio::test]
async fn connecting_to_no_redis_says_where_it_looked() {
    let port = {
        let server = RedisServer::start();
        server.port()
    };
    let error = RedisStore::connect(&format!("redis://:secret@127.0.0.1:{port}")).await.unwrap_err();
    let message = error.to_string();
    assert!(message.contains(&format!("Redis at 127.0.0.1:{port}")), "{message}");
    assert!(!message.contains("secret"), "the URL's password stays out of the message: {message}");
    assert!(!format!("{error:?}").contains("secret"), "and out of Debug: {error:?}");
}
