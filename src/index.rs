//! The index on disk: a tantivy index plus `passim.json`, which records the
//! format version and the passage settings the index was built with.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::analysis;
use crate::passage::PassageConfig;
use crate::schema::{self, Fields};

/// The on-disk format this build of passim reads and writes. Bumped whenever
/// the schema or the analyzer changes what is stored or how text is analyzed.
pub const FORMAT_VERSION: u32 = 4;

/// Name of passim's metadata file inside the index folder.
pub const META_FILE: &str = "passim.json";

/// File tables are named `passim-files.OPSTAMP.json`, after the commit they
/// describe; the commit's payload names the current one.
const FILES_PREFIX: &str = "passim-files.";
const FILES_SUFFIX: &str = ".json";

/// What passim remembers about every file it indexed, so that the next run
/// can pass over unchanged files without reading them and remove the
/// articles of files that are gone.
///
/// Each commit that changes it writes a new table file and names it in the
/// tantivy commit payload, so the table on disk always describes exactly
/// the committed index, whenever a run is interrupted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileTable {
    /// One entry per file and id prefix, sorted by path, then source.
    pub files: Vec<FileEntry>,
}

/// One indexed file in a [`FileTable`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// The file's canonical absolute path.
    pub path: String,
    /// Its id relative to the folder it was found under (the id prefix of
    /// its articles: the whole id for single-article files).
    pub source: String,
    /// Fingerprint of what decides how the file is read (format, JSON field
    /// names, passim version): a change means the file must be read again.
    pub settings: u64,
    /// Size in bytes and modification time (ns since the epoch) when it was
    /// read; a time of 0 means "compare the content hash".
    pub size: u64,
    pub mtime_ns: u64,
    /// xxh3 of the file's bytes as stored on disk, when it was read whole.
    pub hash: Option<u64>,
    /// Articles stored from this file, in file order.
    pub ids: Vec<String>,
    /// Ids this file holds that another file's article won (duplicates).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shadowed: Vec<String>,
    /// Problems met reading it, reported again while it is unchanged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<StoredProblem>,
}

/// A [`crate::read::Problem`] as kept in the [`FileTable`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredProblem {
    pub line: Option<usize>,
    /// `warning`, `skipped` or `error`.
    pub severity: String,
    pub message: String,
}

impl FileTable {
    /// Forgets articles deleted by id (`passim delete`): the files that held
    /// them no longer claim them, so they stay out of the index until their
    /// file changes.
    pub fn forget(&mut self, ids: &std::collections::HashSet<&str>) {
        for entry in &mut self.files {
            entry.ids.retain(|id| !ids.contains(id.as_str()));
            entry.shadowed.retain(|id| !ids.contains(id.as_str()));
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Payload {
    files: String,
}

/// Contents of `passim.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexMeta {
    /// The index format version (see [`FORMAT_VERSION`]).
    pub format_version: u32,
    /// The passim version that last wrote the index.
    pub passim_version: String,
    /// Passage settings used for every article in the index.
    pub passage: PassageConfig,
    /// Seconds since the Unix epoch of the creation and of the last commit.
    pub created: u64,
    pub updated: u64,
}

/// Why an index could not be opened or created. Callers match on these to
/// offer the right fix (for example, building a missing index).
#[derive(Debug, Error)]
pub enum OpenError {
    #[error("no passim index at {dir}; build one with: passim index --index {dir} PATH...")]
    Missing { dir: String },
    #[error(
        "{dir} is not a passim index ({why}); point --index at an index folder, or at an empty or new folder to build one"
    )]
    NotAnIndex { dir: String, why: String },
    #[error(
        "the index at {dir} has format version {found}, but this passim reads version {expected}; rebuild it with: passim index --rebuild --index {dir} PATH..."
    )]
    FormatVersion {
        dir: String,
        found: u32,
        expected: u32,
    },
    #[error(
        "the index at {dir} is damaged ({why}); rebuild it with: passim index --rebuild --index {dir} PATH..."
    )]
    Damaged { dir: String, why: String },
    #[error("cannot open the index at {dir}: {source}")]
    Tantivy {
        dir: String,
        #[source]
        source: tantivy::TantivyError,
    },
    #[error("cannot use the index folder {dir}: {source}")]
    Io {
        dir: String,
        #[source]
        source: std::io::Error,
    },
}

/// An open passim index.
///
/// ```
/// # fn main() -> anyhow::Result<()> {
/// let dir = tempfile::tempdir()?;
/// let index = passim::Index::create(dir.path(), passim::PassageConfig::default())?;
/// assert_eq!(index.meta().format_version, passim::index::FORMAT_VERSION);
/// let reopened = passim::Index::open(dir.path())?;
/// assert_eq!(reopened.meta().passage, passim::PassageConfig::default());
/// # Ok(()) }
/// ```
pub struct Index {
    dir: PathBuf,
    inner: tantivy::Index,
    fields: Fields,
    meta: IndexMeta,
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn display(dir: &Path) -> String {
    dir.display().to_string()
}

impl Index {
    /// True when `dir` holds an index (passim's or at least tantivy's files).
    pub fn exists(dir: &Path) -> bool {
        dir.join(META_FILE).is_file() || dir.join("meta.json").is_file()
    }

    /// Opens an existing index.
    pub fn open(dir: impl AsRef<Path>) -> Result<Index, OpenError> {
        let dir = dir.as_ref();
        let name = display(dir);
        if dir.is_file() {
            return Err(OpenError::NotAnIndex {
                dir: name,
                why: "it is a file".into(),
            });
        }
        if !Index::exists(dir) {
            if let Some(file) = first_visible_entry(dir) {
                return Err(OpenError::NotAnIndex {
                    dir: name,
                    why: format!("the folder holds other files, such as {file:?}"),
                });
            }
            return Err(OpenError::Missing { dir: name });
        }
        let meta = read_meta(dir)?;
        if meta.format_version != FORMAT_VERSION {
            return Err(OpenError::FormatVersion {
                dir: name,
                found: meta.format_version,
                expected: FORMAT_VERSION,
            });
        }
        let damaged = |why: String| OpenError::Damaged {
            dir: name.clone(),
            why,
        };
        if !dir.join("meta.json").is_file() {
            return Err(damaged("tantivy's meta.json is missing".into()));
        }
        let directory = ReadableDirectory::open(dir).map_err(|e| damaged(e.to_string()))?;
        let inner = tantivy::Index::open(directory).map_err(|e| damaged(e.to_string()))?;
        let fields = Fields::from_schema(&inner.schema()).map_err(|_| OpenError::NotAnIndex {
            dir: name.clone(),
            why: "its schema lacks passim's fields".into(),
        })?;
        // A segment file deleted or lost (a bad copy) would otherwise only
        // show up as an obscure error on the first search.
        let segments = inner
            .searchable_segment_metas()
            .map_err(|e| damaged(e.to_string()))?;
        for segment in &segments {
            use tantivy::index::SegmentComponent as C;
            let mut parts = vec![
                C::Postings,
                C::Positions,
                C::Terms,
                C::Store,
                C::FastFields,
                C::FieldNorms,
            ];
            if segment.num_deleted_docs() > 0 {
                parts.push(C::Delete);
            }
            for part in parts {
                let file = segment.relative_path(part);
                if !dir.join(&file).is_file() {
                    return Err(damaged(format!(
                        "segment file {} is missing",
                        file.display()
                    )));
                }
            }
        }
        Ok(Index::assemble(dir, inner, fields, meta))
    }

    /// The same index opened again for [`crate::Writer`], with segment
    /// files read into buffers rather than mapped (see [`ReadFile`]).
    pub(crate) fn for_writing(&self) -> tantivy::Result<tantivy::Index> {
        let mut directory = ReadableDirectory::open(&self.dir)?;
        directory.buffered = true;
        let mut inner = tantivy::Index::open(directory)?;
        // Compress stored text on the indexing threads themselves. tantivy's
        // default hands every 16 KB block to a compressor thread of its own
        // per segment: on 2 cores that woke a thread per block and tripled
        // the context switches of a build (news-all: 19,000 -> 5,800) for
        // about 5-8% more CPU time, while compressing is 3% of the work.
        inner.settings_mut().docstore_compress_dedicated_thread = false;
        register_analyzers(&inner);
        Ok(inner)
    }

    /// Creates a new, empty index in `dir` (created if needed). The folder
    /// must not already hold an index; files whose names start with `.`
    /// (such as `.gitignore`) may be present.
    pub fn create(dir: impl AsRef<Path>, passage: PassageConfig) -> Result<Index, OpenError> {
        let dir = dir.as_ref();
        let name = display(dir);
        let io = |source| OpenError::Io {
            dir: name.clone(),
            source,
        };
        if dir.is_file() {
            return Err(OpenError::NotAnIndex {
                dir: name,
                why: "it is a file".into(),
            });
        }
        std::fs::create_dir_all(dir).map_err(io)?;
        if Index::exists(dir) {
            return Err(OpenError::NotAnIndex {
                dir: name,
                why: "an index is already there".into(),
            });
        }
        std::fs::read_dir(dir).map_err(io)?;
        if let Some(file) = first_visible_entry(dir) {
            return Err(OpenError::NotAnIndex {
                dir: name,
                why: format!("the folder holds other files, such as {file:?}"),
            });
        }
        let (schema, fields) = schema::build();
        let directory = ReadableDirectory::open(dir).map_err(|e| OpenError::Damaged {
            dir: name.clone(),
            why: e.to_string(),
        })?;
        let inner = tantivy::Index::create(directory, schema, tantivy::IndexSettings::default())
            .map_err(|source| OpenError::Tantivy {
                dir: name.clone(),
                source,
            })?;
        let t = now();
        let meta = IndexMeta {
            format_version: FORMAT_VERSION,
            passim_version: env!("CARGO_PKG_VERSION").to_string(),
            passage,
            created: t,
            updated: t,
        };
        write_meta(dir, &meta)?;
        Ok(Index::assemble(dir, inner, fields, meta))
    }

    /// Opens the index in `dir`, creating it when the folder holds none.
    pub fn open_or_create(
        dir: impl AsRef<Path>,
        passage: PassageConfig,
    ) -> Result<Index, OpenError> {
        let dir = dir.as_ref();
        if Index::exists(dir) {
            Index::open(dir)
        } else {
            Index::create(dir, passage)
        }
    }

    /// Removes an index of any format version from `dir` and creates a new
    /// one. Refuses folders that do not hold a passim index.
    pub fn recreate(dir: impl AsRef<Path>, passage: PassageConfig) -> Result<Index, OpenError> {
        let dir = dir.as_ref();
        let name = display(dir);
        if Index::exists(dir) {
            if !dir.join(META_FILE).is_file() {
                return Err(OpenError::NotAnIndex {
                    dir: name,
                    why: format!("it has no {META_FILE}; passim will not delete it"),
                });
            }
            let entries = std::fs::read_dir(dir).map_err(|source| OpenError::Io {
                dir: name.clone(),
                source,
            })?;
            for entry in entries.filter_map(Result::ok) {
                let file_name = entry.file_name();
                if file_name == ".gitignore" || file_name == ".gitkeep" {
                    continue;
                }
                let path = entry.path();
                let removed = if path.is_dir() {
                    std::fs::remove_dir_all(&path)
                } else {
                    std::fs::remove_file(&path)
                };
                removed.map_err(|source| OpenError::Io {
                    dir: name.clone(),
                    source,
                })?;
            }
        }
        Index::create(dir, passage)
    }

    fn assemble(dir: &Path, inner: tantivy::Index, fields: Fields, meta: IndexMeta) -> Index {
        register_analyzers(&inner);
        Index {
            dir: dir.to_path_buf(),
            inner,
            fields,
            meta,
        }
    }

    /// The index folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The metadata read from (or written to) `passim.json`.
    pub fn meta(&self) -> &IndexMeta {
        &self.meta
    }

    /// The schema's fields.
    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    /// The underlying tantivy index, for callers that need more than passim offers.
    pub fn tantivy(&self) -> &tantivy::Index {
        &self.inner
    }

    /// Changes the passage settings recorded for the index; only sensible
    /// when every article is re-indexed (a rebuild).
    pub(crate) fn set_passage_config(&mut self, passage: PassageConfig) {
        self.meta.passage = passage;
    }

    /// The file table of the last commit; empty for an index built before
    /// passim kept one (or when none was committed yet).
    pub fn load_files(&self) -> Result<FileTable, OpenError> {
        let name = display(&self.dir);
        let Some(file) = self.committed_files()? else {
            return Ok(FileTable::default());
        };
        let raw = std::fs::read(self.dir.join(&file)).map_err(|source| OpenError::Io {
            dir: name.clone(),
            source,
        })?;
        serde_json::from_slice(&raw).map_err(|e| OpenError::NotAnIndex {
            dir: name,
            why: format!("its file table {file} is unreadable: {e}"),
        })
    }

    /// The name of the file table the last commit refers to.
    fn committed_files(&self) -> Result<Option<String>, OpenError> {
        let metas = self
            .inner
            .load_metas()
            .map_err(|source| OpenError::Tantivy {
                dir: display(&self.dir),
                source,
            })?;
        Ok(metas
            .payload
            .and_then(|p| serde_json::from_str::<Payload>(&p).ok())
            .map(|p| p.files)
            .filter(|f| f.starts_with(FILES_PREFIX) && !f.contains(['/', '\\'])))
    }

    /// The payload of the last commit, to carry over into a commit that
    /// does not change the file table.
    pub(crate) fn committed_payload(&self) -> Result<Option<String>, OpenError> {
        Ok(self
            .committed_files()?
            .map(|files| serde_json::to_string(&Payload { files }).expect("serializes")))
    }

    /// Writes the file table for the commit `opstamp` (durably, before the
    /// commit refers to it) and returns the commit payload naming it.
    pub(crate) fn write_files(&self, table: &FileTable, opstamp: u64) -> Result<String, OpenError> {
        let io = |source| OpenError::Io {
            dir: display(&self.dir),
            source,
        };
        let file = format!("{FILES_PREFIX}{opstamp}{FILES_SUFFIX}");
        let tmp = self.dir.join(format!(".{file}.tmp"));
        let json = serde_json::to_vec(table).expect("file table serializes");
        {
            use std::io::Write;
            let mut f = std::fs::File::create(&tmp).map_err(io)?;
            f.write_all(&json).map_err(io)?;
            f.sync_all().map_err(io)?;
        }
        std::fs::rename(&tmp, self.dir.join(&file)).map_err(io)?;
        Ok(serde_json::to_string(&Payload { files: file }).expect("serializes"))
    }

    /// Removes file tables (and temporary files) other than the one the
    /// last commit names: left by earlier commits or interrupted runs.
    pub(crate) fn remove_stale_files(&self) -> Result<(), OpenError> {
        let keep = self.committed_files()?;
        let io = |source| OpenError::Io {
            dir: display(&self.dir),
            source,
        };
        for entry in std::fs::read_dir(&self.dir).map_err(io)? {
            let name = entry.map_err(io)?.file_name();
            let name = name.to_string_lossy();
            let table = name.starts_with(FILES_PREFIX) && name.ends_with(FILES_SUFFIX);
            let tmp = name.starts_with(&format!(".{FILES_PREFIX}")) && name.ends_with(".tmp");
            if (table || tmp) && keep.as_deref() != Some(&*name) {
                std::fs::remove_file(self.dir.join(&*name)).map_err(io)?;
            }
        }
        Ok(())
    }

    /// Records a commit in `passim.json`.
    pub(crate) fn touch(&mut self) -> Result<(), OpenError> {
        self.meta.updated = now();
        self.meta.passim_version = env!("CARGO_PKG_VERSION").to_string();
        write_meta(&self.dir, &self.meta)
    }
}

/// The first entry of a folder whose name does not start with `.`.
fn first_visible_entry(dir: &Path) -> Option<std::ffi::OsString> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .find(|name| !name.to_string_lossy().starts_with('.'))
}

fn read_meta(dir: &Path) -> Result<IndexMeta, OpenError> {
    let name = display(dir);
    let path = dir.join(META_FILE);
    let raw = match std::fs::read_to_string(&path) {
        Ok(raw) => raw,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(OpenError::NotAnIndex {
                dir: name,
                why: format!("it has tantivy files but no {META_FILE}"),
            });
        }
        Err(source) => return Err(OpenError::Io { dir: name, source }),
    };
    #[derive(Deserialize)]
    struct Version {
        format_version: u32,
    }
    let version: Version = serde_json::from_str(&raw).map_err(|e| OpenError::NotAnIndex {
        dir: name.clone(),
        why: format!("{META_FILE} is unreadable: {e}"),
    })?;
    if version.format_version != FORMAT_VERSION {
        return Err(OpenError::FormatVersion {
            dir: name,
            found: version.format_version,
            expected: FORMAT_VERSION,
        });
    }
    serde_json::from_str(&raw).map_err(|e| OpenError::NotAnIndex {
        dir: name,
        why: format!("{META_FILE} is unreadable: {e}"),
    })
}

/// Writes `passim.json` atomically (temporary file, then rename), so a crash
/// never leaves a half-written file.
fn write_meta(dir: &Path, meta: &IndexMeta) -> Result<(), OpenError> {
    let io = |source| OpenError::Io {
        dir: display(dir),
        source,
    };
    let tmp = dir.join(format!(".{META_FILE}.tmp"));
    let json = serde_json::to_string_pretty(meta).expect("metadata serializes");
    std::fs::write(&tmp, json + "\n").map_err(io)?;
    std::fs::rename(&tmp, dir.join(META_FILE)).map_err(io)
}

/// Makes passim's analyzers known to a tantivy index by the names the
/// schema gives.
pub(crate) fn register_analyzers(index: &tantivy::Index) {
    index
        .tokenizers()
        .register(analysis::ANALYZER_NAME, analysis::analyzer());
    index
        .tokenizers()
        .register(crate::tags::ANALYZER_NAME, crate::tags::analyzer());
}

/// tantivy's memory-mapped directory, readable in a folder the user may
/// not write to (a shared index, a read-only mount).
///
/// Opening a reader takes tantivy's meta lock, whose file tantivy opens for
/// writing, creating it if need be; in a read-only folder that fails and
/// no search could run. There the lock file is opened read-only instead
/// and locked all the same (`flock` needs no write access), so a writer
/// that can write the folder still never collects segments under an
/// opening reader; when the file does not exist (and cannot be created)
/// there is nothing to lock with, and nothing that writes the folder has
/// ever run a commit, so the reader goes on without it. Everything else
/// is the plain directory's.
#[derive(Debug, Clone)]
struct ReadableDirectory {
    inner: tantivy::directory::MmapDirectory,
    root: PathBuf,
    /// Read segment files into buffers ([`ReadFile`]) instead of mapping them.
    buffered: bool,
}

impl ReadableDirectory {
    fn open(
        dir: &Path,
    ) -> Result<ReadableDirectory, tantivy::directory::error::OpenDirectoryError> {
        Ok(ReadableDirectory {
            inner: tantivy::directory::MmapDirectory::open(dir)?,
            root: dir.to_path_buf(),
            buffered: false,
        })
    }

    fn read_only_lock(
        &self,
        lock: &tantivy::directory::Lock,
    ) -> Result<tantivy::directory::DirectoryLock, tantivy::directory::error::LockError> {
        use tantivy::directory::error::LockError;
        match std::fs::File::open(self.root.join(&lock.filepath)) {
            Ok(file) => {
                if lock.is_blocking {
                    file.lock().map_err(LockError::wrap_io_error)?;
                } else {
                    file.try_lock().map_err(|_| LockError::LockBusy)?;
                }
                // Closing the file releases the lock; it is never deleted.
                Ok(Box::new(file).into())
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Box::new(()).into()),
            Err(e) => Err(LockError::wrap_io_error(e)),
        }
    }
}

/// An error that says the folder cannot be written (as opposed to a busy
/// lock or a failing disk).
fn is_unwritable(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem
    )
}

impl tantivy::Directory for ReadableDirectory {
    fn get_file_handle(
        &self,
        path: &Path,
    ) -> Result<
        std::sync::Arc<dyn tantivy::directory::FileHandle>,
        tantivy::directory::error::OpenReadError,
    > {
        if self.buffered {
            use tantivy::directory::error::OpenReadError;
            let full = self.root.join(path);
            let file = std::fs::File::open(&full).map_err(|e| {
                if e.kind() == std::io::ErrorKind::NotFound {
                    OpenReadError::FileDoesNotExist(path.to_path_buf())
                } else {
                    OpenReadError::wrap_io_error(e, path.to_path_buf())
                }
            })?;
            let len = file
                .metadata()
                .map_err(|e| OpenReadError::wrap_io_error(e, path.to_path_buf()))?
                .len() as usize;
            return Ok(std::sync::Arc::new(ReadFile { file, len }));
        }
        self.inner.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), tantivy::directory::error::DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, tantivy::directory::error::OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(
        &self,
        path: &Path,
    ) -> Result<tantivy::directory::WritePtr, tantivy::directory::error::OpenWriteError> {
        self.inner.open_write(path)
    }

    fn atomic_read(
        &self,
        path: &Path,
    ) -> Result<Vec<u8>, tantivy::directory::error::OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> std::io::Result<()> {
        self.inner.atomic_write(path, data)
    }

    fn sync_directory(&self) -> std::io::Result<()> {
        self.inner.sync_directory()
    }

    fn acquire_lock(
        &self,
        lock: &tantivy::directory::Lock,
    ) -> Result<tantivy::directory::DirectoryLock, tantivy::directory::error::LockError> {
        use tantivy::directory::error::LockError;
        match self.inner.acquire_lock(lock) {
            Err(LockError::IoError(e))
                if lock.filepath == tantivy::directory::META_LOCK.filepath && is_unwritable(&e) =>
            {
                self.read_only_lock(lock)
            }
            other => other,
        }
    }

    fn watch(
        &self,
        watch_callback: tantivy::directory::WatchCallback,
    ) -> tantivy::Result<tantivy::directory::WatchHandle> {
        self.inner.watch(watch_callback)
    }
}

/// A segment file read with `pread` into owned buffers instead of mapped
/// into memory: what a writer reads.
///
/// Merging segments reads every source segment from end to end. Mapped,
/// each page read stays resident in the writing process until the merge
/// ends and the files are unmapped, so its resident memory grew with the
/// index (585 MB peak for a 225 MB corpus, 350 MB of it mapped files),
/// however small the writer's memory budget. Read into buffers, a merge
/// holds one term's postings, one column or one stored-text section at a
/// time (242 MB peak for the same corpus), for about the same CPU time.
/// Searchers keep the mapped files: they read a few blocks, often, where a
/// mapping costs nothing per read.
#[derive(Debug)]
struct ReadFile {
    file: std::fs::File,
    len: usize,
}

impl tantivy::HasLen for ReadFile {
    fn len(&self) -> usize {
        self.len
    }
}

impl tantivy::directory::FileHandle for ReadFile {
    fn read_bytes(
        &self,
        range: std::ops::Range<usize>,
    ) -> std::io::Result<tantivy::directory::OwnedBytes> {
        let mut buffer = vec![0; range.len()];
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileExt;
            self.file.read_exact_at(&mut buffer, range.start as u64)?;
        }
        #[cfg(windows)]
        {
            use std::os::windows::fs::FileExt;
            let mut done = 0;
            while done < buffer.len() {
                let n = self
                    .file
                    .seek_read(&mut buffer[done..], (range.start + done) as u64)?;
                if n == 0 {
                    return Err(std::io::ErrorKind::UnexpectedEof.into());
                }
                done += n;
            }
        }
        Ok(tantivy::directory::OwnedBytes::new(buffer))
    }
}
