//! Embedded servers for the tests: the users they know and nodes that share one Redis.

use session_runtime::Server;
use session_runtime::auth::Users;
use session_runtime::location::RedisStore;
use session_runtime::server::ServerConfig;
use std::sync::Arc;

use super::redis_server::RedisServer;

/// The realm every test server serves.
pub const REALM: &str = "example.com";

/// alice/wonderland and bob/builder.
pub fn users() -> Users {
    Users::parse("alice:wonderland\nbob:builder\n", REALM).expect("users")
}

/// A server on a free loopback port keeping bindings in memory.
pub async fn memory_server(configure: impl FnOnce(&mut ServerConfig)) -> Server {
    Server::builder("127.0.0.1:0", REALM, users()).unwrap().configure(configure).start().await.unwrap()
}

/// `count` servers on free loopback ports that keep bindings in `redis` and share its
/// nonce secret, each configured by `configure`.
pub async fn redis_nodes(redis: &RedisServer, count: usize, configure: fn(&mut ServerConfig)) -> Vec<Server> {
    let mut nodes = Vec::new();
    for _ in 0..count {
        let store = RedisStore::connect(&redis.url()).await.expect("connect");
        let secret = store.shared_secret().await.expect("secret");
        let node = Server::builder("127.0.0.1:0", REALM, users())
            .unwrap()
            .secret(secret)
            .store(Arc::new(store))
            .configure(configure)
            .start()
            .await
            .unwrap();
        nodes.push(node);
    }
    nodes
}
