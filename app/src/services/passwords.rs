//! Password hashing on a bounded pool.
//!
//! An Argon2id check takes about 19 MiB and tens of milliseconds of CPU. Run on tokio's
//! blocking pool (up to 512 threads), a burst of sign-ins ran hundreds at once and the
//! allocator kept each thread's memory: 256 sign-ins from 64 clients took the server
//! from 53 MB to 4.8 GB. Here a fixed set of threads (one per core) does all hashing;
//! a short queue waits in front, and when it is full the caller gets 503 `busy` with
//! `Retry-After` at once instead of a growing heap.

use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, LazyLock, Mutex};

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use crate::domain::Password;
use crate::error::{AppError, AppResult};

/// How long a caller turned away is asked to wait.
const BUSY_RETRY_SECS: u64 = 2;
/// Waiting checks per hashing thread before new ones are turned away.
const QUEUE_PER_THREAD: usize = 16;

type Job = Box<dyn FnOnce() + Send>;

/// Makes the allocator hand big blocks back to the system when they are freed.
///
/// glibc serves allocations above its mmap threshold with mmap and unmaps them on free,
/// but after the first such free it raises the threshold to that size (up to 32 MiB),
/// so every later Argon2 block (19 MiB) comes from a per-thread heap that keeps it.
/// Measured with 256 sign-ins from 64 clients: a 229 MB peak with the moving threshold,
/// under 150 MB with it fixed at 1 MiB. Called once at start-up, before the pool runs.
pub fn return_big_blocks_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; it is called before the hashing
    // threads start and takes no pointers.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

/// One thread per core, as the server has.
pub fn pool_size() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
}

/// The pool: cloned freely; its threads end when the last clone is dropped.
#[derive(Clone)]
pub struct Hasher {
    queue: SyncSender<Job>,
    threads: usize,
}

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hasher")
            .field("threads", &self.threads)
            .finish()
    }
}

impl Hasher {
    pub fn new(threads: usize) -> Self {
        let threads = threads.max(1);
        let (queue, jobs) = sync_channel::<Job>(threads * QUEUE_PER_THREAD);
        let jobs = Arc::new(Mutex::new(jobs));
        for n in 0..threads {
            let jobs = jobs.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("quorum-hash-{n}"))
                .spawn(move || work(&jobs));
            if let Err(e) = spawned {
                tracing::error!(error = %e, "could not start a password hashing thread");
            }
        }
        Self { queue, threads }
    }

    /// Runs `f` on the pool; 503 `busy` when the queue is full.
    async fn run<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = tx.send(f());
        });
        match self.queue.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => return Err(AppError::busy(BUSY_RETRY_SECS)),
            Err(TrySendError::Disconnected(_)) => {
                return Err(AppError::internal(anyhow::anyhow!(
                    "the password hashing threads are gone"
                )));
            }
        }
        rx.await
            .map_err(|_| AppError::internal(anyhow::anyhow!("a password hashing job was lost")))
    }

    /// An Argon2id hash (PHC string) of the password.
    pub async fn hash(&self, password: &Password) -> AppResult<String> {
        let password = password.expose().to_string();
        self.run(move || {
            Argon2::default()
                .hash_password(password.as_bytes())
                .map(|h| h.to_string())
                .map_err(|e| AppError::internal(anyhow::anyhow!("hashing a password: {e}")))
        })
        .await?
    }

    /// Whether the password matches the hash. Without a hash (no such member, or one who
    /// only signs in through single sign-on) a dummy hash is checked, so the answer takes
    /// the same time either way.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> AppResult<bool> {
        let password = password.to_string();
        let hash = hash.filter(|h| !h.is_empty()).map(str::to_string);
        self.run(move || {
            let real = hash.is_some();
            let hash = hash.unwrap_or_else(|| DUMMY_HASH.clone());
            let ok = Argon2::default()
                .verify_password(password.as_bytes(), hash.as_str())
                .is_ok();
            ok && real
        })
        .await
    }
}

fn work(jobs: &Mutex<Receiver<Job>>) {
    loop {
        let job = {
            let Ok(jobs) = jobs.lock() else { return };
            match jobs.recv() {
                Ok(job) => job,
                Err(_) => return,
            }
        };
        job();
    }
}

/// A hash of a password nobody has.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    Argon2::default()
        .hash_password(crate::keys::random_token(24).as_bytes())
        .map(|h| h.to_string())
        .unwrap_or_default()
});

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_check_and_a_full_queue_is_refused_not_queued() {
        let hasher = Hasher::new(1);
        let password = Password::parse("correct horse battery").expect("a valid password");
        let hash = hasher.hash(&password).await.expect("a hash");
        assert!(
            hasher
                .verify("correct horse battery", Some(&hash))
                .await
                .expect("checked")
        );
        assert!(
            !hasher
                .verify("wrong horse battery", Some(&hash))
                .await
                .expect("checked")
        );
        assert!(!hasher.verify("", None).await.expect("checked"));

        // Far more checks at once than the thread and its queue hold: some are turned
        // away with `busy`, the rest succeed; none waits in an unbounded line.
        let mut calls = Vec::new();
        for _ in 0..(QUEUE_PER_THREAD * 3) {
            let hasher = hasher.clone();
            let hash = hash.clone();
            calls.push(tokio::spawn(async move {
                hasher.verify("correct horse battery", Some(&hash)).await
            }));
        }
        let mut busy = 0;
        let mut ok = 0;
        for call in calls {
            match call.await.expect("the task ran") {
                Ok(true) => ok += 1,
                Err(e) if e.code() == crate::error::Code::Busy => busy += 1,
                other => panic!("unexpected answer: {other:?}"),
            }
        }
        assert!(busy > 0, "a full queue turns callers away");
        assert!(ok >= QUEUE_PER_THREAD, "the queue's worth is served: {ok}");
    }
}
