//! What the server holds: the loaded data as an immutable snapshot that a
//! reload replaces whole, the limits, and the admin token.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use axum::body::Bytes;
use reach_engine::nearest::Table;
use reach_engine::{Engine, Extract};

use super::error::ApiError;
use crate::coverage_report::CoverageReport;

/// The documented limits of the API; each refusal names the limit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Most rider positions in one `POST /nearest/batch`.
    pub batch_points: usize,
    /// Largest request body, bytes.
    pub body_bytes: usize,
    /// Longest time one request may take, seconds.
    pub request_seconds: u64,
    /// Most requests served at once; more are refused with 503.
    pub concurrent_requests: usize,
    /// Most roads one `GET /roads` may return.
    pub roads: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            batch_points: 10_000,
            body_bytes: 16 * 1024 * 1024,
            request_seconds: 30,
            concurrent_requests: 512,
            roads: 100_000,
        }
    }
}

/// One loaded state of the data: the extract, its engine and the results
/// computed from them. Requests hold an `Arc` of it, so a reload never
/// changes what a request in flight sees.
#[derive(Debug)]
pub struct Snapshot {
    /// The extract as read (kept to rebuild the engine when a layer changes).
    pub extract: Extract,
    /// The engine built from it.
    pub engine: Engine,
    /// Increases with every reload; part of every ETag.
    pub version: u64,
    /// Serialized answers of expensive requests, by request.
    pub cache: ResultCache<Bytes>,
    /// Coverage results, by request (several routes answer from one).
    pub coverage: ResultCache<CoverageReport>,
    /// Nearest-facility tables (the k nearest facilities of every node),
    /// by filter and query: a rider's answer is then a few lookups.
    pub tables: ResultCache<Table>,
}

impl Snapshot {
    /// The ETag of an answer to `request` from this snapshot.
    pub fn etag(&self, request: &str) -> String {
        // FNV-1a: stable across runs and platforms, unlike the std hasher.
        let hash =
            request.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
        format!("\"v{}-{hash:016x}\"", self.version)
    }
}

/// Most answers the result cache keeps.
const CACHED_ANSWERS: usize = 256;
/// Most coverage results kept.
const CACHED_COVERAGES: usize = 32;
/// Most nearest-facility tables kept (a few MB each on a city).
const CACHED_TABLES: usize = 16;

/// Results of expensive requests, by a canonical form of the request.
/// Bounded: when full, it starts again empty.
#[derive(Debug)]
pub struct ResultCache<T> {
    entries: Mutex<HashMap<String, Arc<T>>>,
    capacity: usize,
}

impl<T> ResultCache<T> {
    /// An empty cache of at most `capacity` results.
    pub fn new(capacity: usize) -> ResultCache<T> {
        ResultCache { entries: Mutex::new(HashMap::new()), capacity }
    }

    /// The cached result of `key`.
    pub fn get(&self, key: &str) -> Option<Arc<T>> {
        self.entries.lock().ok()?.get(key).cloned()
    }

    /// Keeps the result of `key`.
    pub fn put(&self, key: String, body: Arc<T>) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= self.capacity {
                entries.clear();
            }
            entries.insert(key, body);
        }
    }
}

/// The server's state, shared by every request.
#[derive(Debug)]
pub struct AppState {
    current: RwLock<Option<Arc<Snapshot>>>,
    versions: AtomicU64,
    /// The limits.
    pub limits: Limits,
    /// The bearer token that allows writes; writes are off without one.
    pub admin_token: Option<String>,
    /// One layer reload at a time.
    pub reloading: tokio::sync::Mutex<()>,
    /// Where the web map's MapLibre GL JS files are.
    pub vendor_dir: std::path::PathBuf,
}

impl AppState {
    /// A state with nothing loaded yet.
    pub fn new(limits: Limits, admin_token: Option<String>) -> AppState {
        AppState {
            current: RwLock::new(None),
            versions: AtomicU64::new(0),
            limits,
            admin_token,
            reloading: tokio::sync::Mutex::new(()),
            vendor_dir: super::web::default_vendor_dir(),
        }
    }

    /// The current snapshot, or a 503 while loading.
    pub fn snapshot(&self) -> Result<Arc<Snapshot>, ApiError> {
        let current = self.current.read().map_err(|_| ApiError::internal("the data lock is poisoned"))?;
        current.clone().ok_or_else(ApiError::loading)
    }

    /// Whether data is loaded.
    pub fn is_ready(&self) -> bool {
        self.current.read().is_ok_and(|c| c.is_some())
    }

    /// Makes `extract` and `engine` the data every new request sees, and
    /// returns the new snapshot. Unless the engine's graph has its
    /// contraction hierarchy already, a background thread prepares it (see
    /// `Graph::prepare_hierarchy`): requests are answered meanwhile, by
    /// Dijkstra alone, and isochrones that reach much of the graph sweep it
    /// once it is there (a second or so for a large city, more for a
    /// region).
    pub fn publish(&self, extract: Extract, engine: Engine) -> Arc<Snapshot> {
        let version = self.versions.fetch_add(1, Ordering::SeqCst) + 1;
        let snapshot = Arc::new(Snapshot {
            extract,
            engine,
            version,
            cache: ResultCache::new(CACHED_ANSWERS),
            coverage: ResultCache::new(CACHED_COVERAGES),
            tables: ResultCache::new(CACHED_TABLES),
        });
        if let Ok(mut current) = self.current.write() {
            *current = Some(snapshot.clone());
        }
        if snapshot.engine.graph.hierarchy().is_none() {
            let contracting = snapshot.clone();
            std::thread::spawn(move || {
                let hierarchy = contracting.engine.graph.prepare_hierarchy();
                tracing::info!(version = contracting.version, arcs = hierarchy.arc_count(), "hierarchy ready");
            });
        }
        snapshot
    }
}
