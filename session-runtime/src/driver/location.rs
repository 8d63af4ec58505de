//! Running the endpoint's location jobs on the peer's store: inline when the store
//! answers at once (the memory store), else on a task that hands the answer back
//! through the driver's command queue.

use std::sync::Arc;

use session_proto::location::{JobId, LocationAnswer, LocationJob};
use tokio::sync::mpsc;

use super::command::Command;
use crate::location::{self, LocationStore};

/// Starts `work` on `store`: its answer when the store has it at once; else `None`,
/// and the answer comes later as [`Command::Located`] on `commands` (lost only when
/// the driver has stopped).
pub(super) fn start(
    store: &Arc<dyn LocationStore>,
    commands: &mpsc::UnboundedSender<Command>,
    job: JobId,
    work: LocationJob,
) -> Option<LocationAnswer> {
    match location::run_now(store.run(work)) {
        Ok(answer) => Some(answer),
        Err(pending) => {
            let commands = commands.clone();
            tokio::spawn(async move {
                let answer = pending.await;
                let _ = commands.send(Command::Located { job, answer });
            });
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::location::{LocationFuture, MemoryStore};

    /// A store that answers only after a while, as Redis does.
    #[derive(Debug)]
    struct Slow;

    impl LocationStore for Slow {
        fn run(&self, _job: LocationJob) -> LocationFuture {
            Box::pin(async {
                tokio::task::yield_now().await;
                LocationAnswer::Failed("slow".into())
            })
        }
    }

    fn lookup() -> LocationJob {
        LocationJob::Lookup { aor: "sip:alice@example.com".into(), nonce: None, now: 1 }
    }

    #[tokio::test]
    async fn a_store_that_answers_at_once_is_answered_inline() {
        let (commands, mut queue) = mpsc::unbounded_channel();
        let store: Arc<dyn LocationStore> = Arc::new(MemoryStore::new());
        assert_eq!(start(&store, &commands, JobId(1), lookup()), Some(LocationAnswer::Bindings(Vec::new())));
        drop(commands);
        assert!(queue.recv().await.is_none(), "nothing goes through the queue");
    }

    #[tokio::test]
    async fn a_slower_store_answers_through_the_command_queue() {
        let (commands, mut queue) = mpsc::unbounded_channel();
        let store: Arc<dyn LocationStore> = Arc::new(Slow);
        assert_eq!(start(&store, &commands, JobId(7), lookup()), None);
        match queue.recv().await {
            Some(Command::Located { job, answer }) => {
                assert_eq!(job, JobId(7));
                assert_eq!(answer, LocationAnswer::Failed("slow".into()));
            }
            other => panic!("{other:?}"),
        }
    }
}
